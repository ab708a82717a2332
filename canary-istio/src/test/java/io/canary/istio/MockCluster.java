package io.canary.istio;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The in-process API server as tests use it: a fast-failing client, objects seeded from YAML exactly
 * as written (untyped, so no model drops a field), objects read back as plain trees, and the requests
 * the server received.
 */
final class MockCluster {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final List<String> SERVER_SET_METADATA = List.of("resourceVersion", "uid", "creationTimestamp", "generation", "managedFields");

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final Map<String, Map<String, Object>> seeded = new LinkedHashMap<>();
  private int requestsTaken;

  MockCluster(KubernetesMockServer server) {
    this.server = server;
    this.client = client(server, http -> {});
  }

  /** A client that fails in seconds instead of retrying or hanging. */
  static KubernetesClient client(KubernetesMockServer server, Consumer<HttpClient.Builder> http) {
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl(server.url("/"))
        .withNamespace("default")
        .withRequestRetryBackoffLimit(0)
        .withRequestTimeout(5_000)
        .withConnectionTimeout(5_000)
        .build();
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientFactory(new JdkHttpClientFactory())
        .withHttpClientBuilderConsumer(http)
        .build();
  }

  KubernetesClient client() {
    return client;
  }

  /** Creates every object of scenarios/{@code scenario}/cluster.yaml. */
  MockCluster seedScenario(String scenario) {
    return seed(Path.of("..", "scenarios", scenario, "cluster.yaml"));
  }

  /** Creates every object of the test resource {@code name}. */
  MockCluster seedResource(String name) {
    return seedYaml(resource(name));
  }

  static String resource(String name) {
    try (var in = MockCluster.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + name);
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  MockCluster seed(Path yamlFile) {
    try {
      return seedYaml(Files.readString(yamlFile));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates every document of {@code yaml}, as written. */
  MockCluster seedYaml(String yaml) {
    for (String document : yaml.split("(?m)^---\\s*$")) {
      if (document.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
        continue;
      }
      GenericKubernetesResource object = SERIALIZATION.unmarshal(document, GenericKubernetesResource.class);
      client.genericKubernetesResources(context(object.getApiVersion(), object.getKind()))
          .inNamespace(object.getMetadata().getNamespace())
          .resource(object)
          .create();
      seeded.put(key(object.getKind(), object.getMetadata().getNamespace(), object.getMetadata().getName()), tree(object));
    }
    skipRequests();
    return this;
  }

  /** A copy of an object as seeded, to be changed into what a test expects. */
  Map<String, Object> seeded(String kind, String namespace, String name) {
    Map<String, Object> seed = seeded.get(key(kind, namespace, name));
    if (seed == null) {
      throw new IllegalArgumentException("nothing seeded as " + key(kind, namespace, name));
    }
    return tree(seed);
  }

  /**
   * The object as the server holds it at {@code apiVersion}, with the metadata the server sets
   * (resourceVersion, uid, timestamps) left out: what remains is what the user wrote.
   */
  Map<String, Object> read(String apiVersion, String kind, String namespace, String name) {
    GenericKubernetesResource object = client.genericKubernetesResources(context(apiVersion, kind)).inNamespace(namespace).withName(name).get();
    if (object == null) {
      return null;
    }
    Map<String, Object> tree = tree(object);
    Map<?, ?> metadata = (Map<?, ?>) tree.get("metadata");
    SERVER_SET_METADATA.forEach(metadata::remove);
    return tree;
  }

  /** The object as seeded, read at the version it was seeded at. */
  Map<String, Object> read(String kind, String namespace, String name) {
    return read((String) seeded(kind, namespace, name).get("apiVersion"), kind, namespace, name);
  }

  /** Changes an object in the server the way another writer would (a read and a guarded update). */
  void editAsAnotherWriter(String kind, String namespace, String name, Consumer<Map<String, Object>> change) {
    String apiVersion = (String) seeded(kind, namespace, name).get("apiVersion");
    GenericKubernetesResource object = client.genericKubernetesResources(context(apiVersion, kind)).inNamespace(namespace).withName(name).get();
    change.accept(object.getAdditionalProperties());
    client.genericKubernetesResources(context(apiVersion, kind)).inNamespace(namespace).resource(object).update();
  }

  /**
   * Requests received since the last call (or since seeding), as "METHOD path", without the SDK's
   * {@code fieldManager=canary-sdk} (canary-client's FieldManagerTest and the examples' scenarios prove it).
   */
  List<String> takeRequests() {
    List<String> requests = new ArrayList<>();
    try {
      while (requestsTaken < server.getRequestCount()) {
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        requestsTaken++;
        requests.add(request.getMethod() + " " + request.getPath().replace("?fieldManager=canary-sdk", ""));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return requests;
  }

  /** Requests that change something, since the last call. */
  List<String> takeWrites() {
    return takeRequests().stream().filter(r -> !r.startsWith("GET ")).toList();
  }

  void skipRequests() {
    takeRequests();
  }

  static ResourceDefinitionContext context(String apiVersion, String kind) {
    int slash = apiVersion.indexOf('/');
    return new ResourceDefinitionContext.Builder()
        .withGroup(slash < 0 ? "" : apiVersion.substring(0, slash))
        .withVersion(apiVersion.substring(slash + 1))
        .withKind(kind)
        .withPlural(kind.toLowerCase(Locale.ROOT) + "s")
        .withNamespaced(true)
        .build();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> tree(Object object) {
    return SERIALIZATION.convertValue(object, Map.class);
  }

  private static String key(String kind, String namespace, String name) {
    return kind + " " + namespace + "/" + name;
  }
}
