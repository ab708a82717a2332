package io.canary.testing.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The YAML a test loads into the cluster: its objects created as written, and where a scenario's file is. */
public final class ClusterYaml {
  private ClusterYaml() {}

  /**
   * Creates the objects of a multi-document YAML as written (apiVersion included), in namespace
   * {@code default} when they name none, and records the server's answers in {@code state}.
   */
  public static List<HasMetadata> create(KubernetesClient client, ClusterState state, String yaml) {
    List<HasMetadata> created = new ArrayList<>();
    for (HasMetadata item : client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items()) {
      if (item.getMetadata().getNamespace() == null) {
        item.getMetadata().setNamespace("default");
      }
      HasMetadata o = client.resource(item).create();
      state.put(o);
      created.add(o);
    }
    return created;
  }

  public static String read(Path yamlFile) {
    try {
      return Files.readString(yamlFile);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read cluster YAML " + yamlFile.toAbsolutePath(), e);
    }
  }

  /**
   * {@code scenarios/<name>/cluster.yaml}, looked for in the working directory and its parents
   * (Maven runs a module's tests in the module's folder).
   */
  public static Path scenario(String name) {
    List<Path> tried = new ArrayList<>();
    Path dir = Path.of("").toAbsolutePath();
    for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
      Path candidate = dir.resolve("scenarios").resolve(name).resolve("cluster.yaml");
      tried.add(candidate);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalArgumentException("scenario '" + name + "': no cluster.yaml at " + tried);
  }
}
