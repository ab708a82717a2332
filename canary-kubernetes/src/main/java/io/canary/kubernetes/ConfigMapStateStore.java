package io.canary.kubernetes;

import io.canary.core.CanaryException;
import io.canary.core.ConflictException;
import io.canary.core.RolloutKey;
import io.canary.core.RolloutStatus;
import io.canary.core.spi.StateStore;
import io.canary.core.spi.Versioned;
import io.canary.core.StatusDocument;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Keeps each rollout's status in a ConfigMap of its own, {@code canary-rollout-<name>} in the rollout's
 * namespace, as JSON under {@code status.json}; the ConfigMap's resourceVersion is the version.
 *
 * <p>One ConfigMap per rollout rather than one per namespace: every save is a compare-and-set, and with
 * one object per rollout two rollouts of a namespace never conflict with each other (a thousand rollouts
 * would otherwise contend on one object), each object stays small, and forgetting a rollout is deleting
 * one object. The ConfigMaps carry the label {@code canary.io/rollout-state=true}, which {@link #list()}
 * selects on.
 *
 * <pre>{@code
 * StateStore store = ConfigMapStateStore.create(client);                    // lists in every namespace
 * StateStore store = ConfigMapStateStore.create(client, "shop", "payments"); // a namespaced Role suffices
 * }</pre>
 */
public final class ConfigMapStateStore implements StateStore {
  public static final String DATA_KEY = "status.json";
  private static final String PREFIX = "canary-rollout-";

  private final KubernetesClient client;
  private final List<String> namespaces;

  private ConfigMapStateStore(KubernetesClient client, List<String> namespaces) {
    this.client = Objects.requireNonNull(client, "client");
    this.namespaces = List.copyOf(namespaces);
  }

  /** A store whose {@link #list()} looks in every namespace (the runner needs to list ConfigMaps cluster-wide). */
  public static ConfigMapStateStore create(KubernetesClient client) {
    return new ConfigMapStateStore(client, List.of());
  }

  /** A store whose {@link #list()} looks only in {@code namespaces}. */
  public static ConfigMapStateStore create(KubernetesClient client, String... namespaces) {
    if (namespaces.length == 0) {
      throw new IllegalArgumentException("name at least one namespace, or use create(client) for all of them");
    }
    return new ConfigMapStateStore(client, Arrays.asList(namespaces));
  }

  /** The ConfigMap that holds a rollout's status. */
  public static String configMapName(RolloutKey key) {
    return PREFIX + key.name();
  }

  @Override
  public Optional<Versioned<RolloutStatus>> load(RolloutKey key) {
    ConfigMap cm = client.configMaps().inNamespace(key.namespace()).withName(configMapName(key)).get();
    if (cm == null) {
      return Optional.empty();
    }
    requireOurs(cm, key);
    String json = cm.getData() == null ? null : cm.getData().get(DATA_KEY);
    if (json == null) {
      throw new CanaryException(where(key) + " has no '" + DATA_KEY + "' entry; delete it to start the rollout afresh");
    }
    return Optional.of(new Versioned<>(StatusDocument.read(json, where(key)), cm.getMetadata().getResourceVersion()));
  }

  @Override
  public String compareAndSet(RolloutKey key, Optional<String> expectedVersion, RolloutStatus status) {
    if (!status.key().equals(key)) {
      throw new IllegalArgumentException("status of rollout " + status.key() + " cannot be stored as rollout " + key);
    }
    ConfigMap cm = new ConfigMapBuilder()
        .withNewMetadata()
        .withName(configMapName(key))
        .withNamespace(key.namespace())
        .withResourceVersion(expectedVersion.orElse(null))
        .withLabels(CanaryLabels.forRollout(key.name())).addToLabels(CanaryLabels.ROLLOUT_STATE, "true")
        .endMetadata()
        .withData(Map.of(DATA_KEY, StatusDocument.write(status)))
        .build();
    var configMaps = client.configMaps().inNamespace(key.namespace());
    try {
      ConfigMap stored = expectedVersion.isEmpty()
          ? configMaps.resource(cm).create()
          // A PUT carrying the expected resourceVersion: the API server refuses it once anyone else wrote.
          : configMaps.resource(cm).update();
      return stored.getMetadata().getResourceVersion();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT || e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        throw new ConflictException("the status of rollout " + key + " in " + where(key) + " is not at version "
            + expectedVersion.orElse("(none: first save)") + " any more; another runner saved or deleted it");
      }
      throw e;
    }
  }

  @Override
  public List<RolloutKey> list() {
    Stream<ConfigMap> found = namespaces.isEmpty()
        ? client.configMaps().inAnyNamespace().withLabel(CanaryLabels.ROLLOUT_STATE, "true").list().getItems().stream()
        : namespaces.stream().flatMap(ns ->
            client.configMaps().inNamespace(ns).withLabel(CanaryLabels.ROLLOUT_STATE, "true").list().getItems().stream());
    List<RolloutKey> keys = new ArrayList<>();
    found.forEach(cm -> {
      String rollout = cm.getMetadata().getLabels().get(CanaryLabels.ROLLOUT);
      if (rollout != null && configMapName(RolloutKey.of(cm.getMetadata().getNamespace(), rollout))
          .equals(cm.getMetadata().getName())) {
        keys.add(RolloutKey.of(cm.getMetadata().getNamespace(), rollout));
      }
    });
    keys.sort(null);
    return keys;
  }

  @Override
  public void delete(RolloutKey key) {
    var resource = client.configMaps().inNamespace(key.namespace()).withName(configMapName(key));
    ConfigMap cm = resource.get();
    if (cm != null) {
      requireOurs(cm, key);
      resource.delete();
    }
  }

  private static void requireOurs(ConfigMap cm, RolloutKey key) {
    Map<String, String> labels = cm.getMetadata().getLabels();
    if (labels == null || !"true".equals(labels.get(CanaryLabels.ROLLOUT_STATE)) || !key.name().equals(labels.get(CanaryLabels.ROLLOUT))) {
      throw new CanaryException(where(key) + " exists but was not written by the Canary SDK (labels " + CanaryLabels.ROLLOUT_STATE
          + "=true and " + CanaryLabels.ROLLOUT + "=" + key.name() + " are missing); it is left alone: rename it");
    }
  }

  private static String where(RolloutKey key) {
    return "ConfigMap " + key.namespace() + "/" + configMapName(key);
  }
}
