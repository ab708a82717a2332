package io.canary.client;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.impl.BaseClient;
import java.util.Objects;
import java.util.Optional;

/**
 * The field manager every write of the SDK's adapters carries ({@code ?fieldManager=canary-sdk} on
 * each POST, PUT and PATCH), so that {@code metadata.managedFields}, server-side apply conflicts and
 * GitOps tools name the SDK instead of fabric8's generic {@code fabric8-kubernetes-client}.
 *
 * <p>fabric8 sends a field manager only on PATCH, and only when asked. The adapters therefore write
 * through a client derived from the host's ({@link #client(KubernetesClient)}): the same configuration,
 * credentials, connection pool, task executor and watches, with one HTTP interceptor more that adds the
 * parameter to every mutating request that has none. Every adapter factory derives it from the client it
 * is given; a client derived already is used as it is, so to name another manager, derive it once and
 * give that client to every adapter:
 *
 * <pre>{@code
 * KubernetesClient client = FieldManager.client(hostClient, "deployer-1");
 * IstioTrafficRouter router = IstioTrafficRouter.create(client);        // writes as deployer-1
 * ConfigMapStateStore store = ConfigMapStateStore.create(client, "shop"); // and so does every other adapter
 * }</pre>
 *
 * <p>The derived client belongs to the host's: closing it closes nothing (close the host's client, which
 * ends both), and not closing it leaks nothing (it holds no connection, thread or executor of its own).
 */
public final class FieldManager {
  /** The field manager the adapters write as unless told otherwise. */
  public static final String DEFAULT_NAME = "canary-sdk";
  /** The longest name an API server accepts. */
  public static final int MAX_LENGTH = 128;

  private FieldManager() {}

  /**
   * {@code client} itself when it is derived already (with any name), else a client derived from it that
   * writes as {@value #DEFAULT_NAME}. What every adapter factory calls on the client it is given.
   */
  public static KubernetesClient client(KubernetesClient client) {
    Objects.requireNonNull(client, "client");
    return client instanceof FieldManagerClient ? client : derive(client, DEFAULT_NAME);
  }

  /**
   * A client that writes as {@code name}, derived from {@code client} (or {@code client} itself when it
   * writes as {@code name} already).
   *
   * @throws IllegalArgumentException when the name is empty, longer than {@value #MAX_LENGTH} characters
   *     or holds a character that is not printable, as an API server would refuse it
   */
  public static KubernetesClient client(KubernetesClient client, String name) {
    Objects.requireNonNull(client, "client");
    requireValid(name);
    if (client instanceof FieldManagerClient named && named.fieldManager().equals(name)) {
      return client;
    }
    return derive(client, name);
  }

  /** The field manager {@code client}'s writes carry, when it is a client of this class. */
  public static Optional<String> nameOf(KubernetesClient client) {
    return client instanceof FieldManagerClient named ? Optional.of(named.fieldManager()) : Optional.empty();
  }

  /** {@code name}, when an API server would take it as a field manager. */
  public static String requireValid(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("fieldManager must not be empty");
    }
    if (name.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("fieldManager must be at most " + MAX_LENGTH + " characters, was "
          + name.length() + " ('" + name.substring(0, 20) + "...')");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isISOControl(c) || !Character.isDefined(c)) {
        throw new IllegalArgumentException("fieldManager must hold printable characters only, '" + name.replaceAll("\\p{Cntrl}", "?")
            + "' has a control character at index " + i);
      }
    }
    return name;
  }

  private static KubernetesClient derive(KubernetesClient client, String name) {
    BaseClient base;
    try {
      base = client.adapt(BaseClient.class);
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException("the SDK's adapters need a client built by fabric8's KubernetesClientBuilder"
          + " (to derive one that sends fieldManager=" + name + "), got a " + client.getClass().getName(), e);
    }
    return new FieldManagerClient(base, name);
  }
}
