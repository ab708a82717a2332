package io.canary.examples;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The scenarios' cluster YAML, found from the repository, and set up on a real cluster. */
public final class ScenarioFiles {
  private ScenarioFiles() {}

  /** {@code scenarios/<scenario>/cluster.yaml}, looked for in the working directory and its parents. */
  public static Path clusterYaml(String scenario) {
    Path dir = Path.of("").toAbsolutePath();
    for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
      Path candidate = dir.resolve("scenarios").resolve(scenario).resolve("cluster.yaml");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("scenarios/" + scenario + "/cluster.yaml not found from " + Path.of("").toAbsolutePath()
        + ": run from the repository");
  }

  /**
   * Creates {@code namespace} (with Istio sidecar injection) and the scenario's objects where they are
   * missing; never replaces what exists. Returns what was created, as {@code Kind name}.
   */
  public static List<String> createMissing(KubernetesClient client, String scenario, String namespace) {
    List<String> created = new ArrayList<>();
    if (client.namespaces().withName(namespace).get() == null) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
          .addToLabels("istio-injection", "enabled").endMetadata().build()).create();
      created.add("Namespace " + namespace);
    }
    Path yaml = clusterYaml(scenario);
    try (InputStream in = Files.newInputStream(yaml)) {
      for (HasMetadata object : client.load(in).items()) {
        try {
          client.resource(object).inNamespace(namespace).create();
          created.add(object.getKind() + " " + object.getMetadata().getName());
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409) {
            throw e;
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + yaml, e);
    }
    return created;
  }
}
