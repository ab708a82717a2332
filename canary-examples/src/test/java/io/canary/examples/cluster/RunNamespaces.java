package io.canary.examples.cluster;

import io.canary.core.CanarySpec;
import io.canary.examples.ScenarioFiles;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The namespaces of one run of the real-cluster suite: each scenario runs in a namespace of its own,
 * {@code <the scenario's namespace>-<run id>} (for example {@code nsa-k3x9q}), created with the
 * scenario's objects as they are in the repository and deleted by {@link #close()}, so that a second run
 * on the same cluster starts from the seed again instead of finding the revision already stable. Each
 * namespace carries {@value #RUN_LABEL}{@code =<run id>}: {@code kubectl delete namespace -l
 * canary.io/test-run} removes what a run killed before its clean-up left.
 */
final class RunNamespaces implements AutoCloseable {
  static final String RUN_LABEL = "canary.io/test-run";
  private static final int MAX_NAMESPACE = 63;
  private static final String ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

  private final KubernetesClient client;
  private final String runId;
  private final List<String> created = new ArrayList<>();

  RunNamespaces(KubernetesClient client, String runId) {
    this.client = Objects.requireNonNull(client, "client");
    this.runId = requireRunId(runId);
  }

  static String requireRunId(String runId) {
    if (runId == null || !runId.matches("[a-z0-9]{1,16}")) {
      throw new IllegalArgumentException("a run id is 1 to 16 lower case letters and digits, was '" + runId + "'");
    }
    return runId;
  }

  /** A fresh run id: five random lower case letters and digits. */
  static String newRunId() {
    SecureRandom random = new SecureRandom();
    StringBuilder id = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      id.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
    }
    return id.toString();
  }

  String runId() {
    return runId;
  }

  /** This run's namespace for a scenario whose own namespace is {@code base}. */
  String namespaceFor(String base) {
    return namespaceFor(base, runId);
  }

  /** {@code <base>-<run id>}, the base cut so that the name stays a DNS-1123 label (63 characters). */
  static String namespaceFor(String base, String runId) {
    String suffix = "-" + requireRunId(runId);
    String head = base.toLowerCase(Locale.ROOT);
    if (head.length() + suffix.length() > MAX_NAMESPACE) {
      head = head.substring(0, MAX_NAMESPACE - suffix.length()).replaceAll("-+$", "");
    }
    return head + suffix;
  }

  /**
   * Creates the run's namespace for {@code scenario} (Istio sidecar injection on, the run's label) and
   * the scenario's objects in it, the service host names that name the scenario's namespace rewritten to
   * the run's; returns the scenario's plan moved to that namespace.
   */
  CanarySpec create(String scenario, CanarySpec plan) {
    String namespace = namespaceFor(plan.namespace());
    Namespace ns = new NamespaceBuilder().withNewMetadata().withName(namespace)
        .addToLabels("istio-injection", "enabled").addToLabels(RUN_LABEL, runId).endMetadata().build();
    client.namespaces().resource(ns).create();
    created.add(namespace);
    String yaml;
    try {
      yaml = Files.readString(ScenarioFiles.clusterYaml(scenario));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    yaml = yaml.replace("." + plan.namespace() + ".svc.cluster.local", "." + namespace + ".svc.cluster.local");
    for (HasMetadata object : client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items()) {
      object.getMetadata().setNamespace(namespace);
      client.resource(object).inNamespace(namespace).create();
    }
    return CanarySpec.copyOf(plan).withNamespace(namespace);
  }

  /** The namespaces this run created, in order. */
  List<String> namespaces() {
    return List.copyOf(created);
  }

  /** Deletes every namespace this run created (the API server then removes what they hold). */
  @Override
  public void close() {
    RuntimeException failure = null;
    for (String namespace : created) {
      try {
        client.namespaces().withName(namespace).delete();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = new IllegalStateException("could not delete the run's namespace " + namespace
              + "; delete it with: kubectl delete namespace -l " + RUN_LABEL + "=" + runId, e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    created.clear();
    if (failure != null) {
      throw failure;
    }
  }
}
