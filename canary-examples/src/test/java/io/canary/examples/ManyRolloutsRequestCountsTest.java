package io.canary.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.examples.bench.RequestCounts;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the benchmarks tell the runner's API requests apart: by verb and resource, counted on a client. */
class ManyRolloutsRequestCountsTest {
  /** Only for the tests that send requests; the classification needs none. */
  private KubernetesMockServer server;

  private String startServer() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(),
        false);
    server.init();
    return server.url("/");
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.destroy();
    }
  }

  private static String classify(String method, String pathAndQuery) {
    return RequestCounts.classify(method, URI.create("https://api.example:6443" + pathAndQuery));
  }

  @Test
  void aNamespacedCoreObjectIsItsResourceAfterTheNamespaceAndAGetOfItsCollectionIsAList() {
    assertThat(classify("GET", "/api/v1/namespaces/shop/configmaps/web-status")).isEqualTo("GET configmaps");
    assertThat(classify("GET", "/api/v1/namespaces/shop/configmaps")).isEqualTo("LIST configmaps");
    assertThat(classify("GET", "/api/v1/namespaces/shop/configmaps?labelSelector=canary.io%2Fended-target%3Dweb"))
        .isEqualTo("LIST configmaps");
    assertThat(classify("PUT", "/api/v1/namespaces/shop/configmaps/web-status")).isEqualTo("PUT configmaps");
    assertThat(classify("POST", "/api/v1/namespaces/shop/configmaps")).isEqualTo("POST configmaps");
    assertThat(classify("DELETE", "/api/v1/namespaces/shop/pods/web-1")).isEqualTo("DELETE pods");
    assertThat(classify("DELETE", "/api/v1/namespaces/shop/pods?labelSelector=app%3Dweb"))
        .isEqualTo("DELETECOLLECTION pods");
  }

  @Test
  void aNamespacedObjectOfAGroupIsItsResourceAfterTheNamespace() {
    assertThat(classify("GET", "/apis/coordination.k8s.io/v1/namespaces/shop/leases/canary-web")).isEqualTo("GET leases");
    assertThat(classify("PUT", "/apis/coordination.k8s.io/v1/namespaces/shop/leases/canary-web?fieldManager=canary-sdk"))
        .isEqualTo("PUT leases");
    assertThat(classify("PUT", "/apis/networking.istio.io/v1/namespaces/shop/virtualservices/web"))
        .isEqualTo("PUT virtualservices");
    assertThat(classify("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web")).isEqualTo("PATCH deployments");
    assertThat(classify("GET", "/apis/apps/v1/namespaces/shop/replicasets?labelSelector=app%3Dweb"))
        .isEqualTo("LIST replicasets");
  }

  @Test
  void aClusterScopedObjectIsItsResourceAfterTheGroupAndVersion() {
    assertThat(classify("GET",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/virtualservices.networking.istio.io"))
        .isEqualTo("GET customresourcedefinitions");
    assertThat(classify("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"))
        .isEqualTo("LIST customresourcedefinitions");
    assertThat(classify("GET", "/api/v1/nodes/worker-1")).isEqualTo("GET nodes");
    // A namespace is itself a cluster-scoped object: its name is not a namespace to look behind.
    assertThat(classify("GET", "/api/v1/namespaces/bench-k3x9q-0")).isEqualTo("GET namespaces");
    assertThat(classify("DELETE", "/api/v1/namespaces/bench-k3x9q-0")).isEqualTo("DELETE namespaces");
    assertThat(classify("GET", "/api/v1/namespaces")).isEqualTo("LIST namespaces");
    assertThat(classify("POST", "/api/v1/namespaces")).isEqualTo("POST namespaces");
  }

  @Test
  void aGetWithWatchIsAWatchOfTheCollection() {
    assertThat(classify("GET", "/apis/apps/v1/namespaces/shop/deployments?allowWatchBookmarks=true&resourceVersion=42"
        + "&timeoutSeconds=600&watch=true")).isEqualTo("WATCH deployments");
    assertThat(classify("GET", "/api/v1/namespaces/shop/pods?watch=1")).isEqualTo("WATCH pods");
    assertThat(classify("GET", "/api/v1/namespaces/shop/pods?watch=false")).isEqualTo("LIST pods");
    assertThat(classify("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions?watch=true"))
        .isEqualTo("WATCH customresourcedefinitions");
    assertThat(classify("GET", "/api/v1/watch/namespaces/shop/pods")).isEqualTo("WATCH pods");
    // One object watched by a field selector on its collection.
    assertThat(classify("GET", "/apis/coordination.k8s.io/v1/namespaces/shop/leases?fieldSelector=metadata.name%3Dweb"
        + "&watch=true")).isEqualTo("WATCH leases");
  }

  @Test
  void aSubresourceIsNamedWithItsResource() {
    assertThat(classify("PUT", "/apis/apps/v1/namespaces/shop/deployments/web/status")).isEqualTo("PUT deployments/status");
    assertThat(classify("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web/scale")).isEqualTo("PATCH deployments/scale");
    assertThat(classify("GET", "/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers/web/status"))
        .isEqualTo("GET horizontalpodautoscalers/status");
    assertThat(classify("PUT", "/api/v1/nodes/worker-1/status")).isEqualTo("PUT nodes/status");
    assertThat(classify("PUT", "/api/v1/namespaces/bench-k3x9q-0/finalize")).isEqualTo("PUT namespaces/finalize");
    assertThat(classify("GET", "/api/v1/namespaces/bench-k3x9q-0/status")).isEqualTo("GET namespaces/status");
  }

  @Test
  void aPathOfNoResourceIsItsOwnName() {
    assertThat(classify("GET", "/version")).isEqualTo("GET /version");
    assertThat(classify("GET", "/apis/apps/v1")).isEqualTo("GET apis/apps/v1");
    assertThat(classify("GET", "/")).isEqualTo("GET /");
  }

  @Test
  void theInterceptorCountsWhatItsClientSendsByPhaseAndNothingOfAnotherClient() throws Exception {
    RequestCounts counts = new RequestCounts("setup");
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl(startServer()).withNamespace("default")
        .withRequestRetryBackoffLimit(0).build();
    try (KubernetesClient counted = new KubernetesClientBuilder().withConfig(config)
            .withHttpClientBuilderConsumer(b -> counts.addTo(b.preferHttp11())).build();
        KubernetesClient other = new KubernetesClientBuilder().withConfig(config)
            .withHttpClientBuilderConsumer(b -> b.preferHttp11()).build()) {
      counted.configMaps().inNamespace("shop").resource(configMap("web")).create();
      other.configMaps().inNamespace("shop").resource(configMap("other")).create();
      counts.phase("run");
      counted.configMaps().inNamespace("shop").withName("web").get();
      counted.configMaps().inNamespace("shop").list();
      other.configMaps().inNamespace("shop").list();
      var informer = counted.configMaps().inNamespace("shop").inform();
      informer.stop();
      counted.configMaps().inNamespace("shop").withName("web").edit(c -> new ConfigMapBuilder(c).addToData("k", "v").build());

      assertThat(counts.phases()).containsExactly("setup", "run");
      assertThat(counts.counts("setup")).isEqualTo(Map.of("POST configmaps", 1L));
      // edit(): a GET and a PATCH; the informer: a LIST and a WATCH.
      assertThat(counts.counts("run")).isEqualTo(Map.of("GET configmaps", 2L, "LIST configmaps", 2L,
          "WATCH configmaps", 1L, "PATCH configmaps", 1L));
      assertThat(counts.wholeRun()).isEqualTo(7);
      assertThat(counts.onResource("run", "configmaps")).isEqualTo(6);
      String table = counts.table("requests", 2, "run");
      assertThat(table).contains("| PATCH configmaps | 0 | 1 | 1 | 0.50 | 0.50 |")
          .contains("| **all requests** | 1 | 6 | 7 | 3.00 | 3.50 |");
    }
  }

  @Test
  void aCountedClientDerivedFromAnotherCountsItsOwnRequestsAndItsCopiesNotTheHosts() throws Exception {
    RequestCounts counts = new RequestCounts("run");
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl(startServer()).withNamespace("default")
        .withRequestRetryBackoffLimit(0).build();
    try (KubernetesClient host = new KubernetesClientBuilder().withConfig(config)
        .withHttpClientBuilderConsumer(b -> b.preferHttp11()).build()) {
      KubernetesClient counted = counts.countedClient(host);
      counted.configMaps().inNamespace("shop").resource(configMap("web")).create();
      // fabric8 copies the client for inNamespace: the copy keeps the counting HTTP client.
      counted.adapt(NamespacedKubernetesClient.class).inNamespace("shop").configMaps().withName("web").get();
      host.configMaps().inNamespace("shop").withName("web").get();
      host.configMaps().inNamespace("shop").list();

      assertThat(counts.counts("run")).isEqualTo(Map.of("POST configmaps", 1L, "GET configmaps", 1L));
      counted.close();   // closes nothing of the host's
      assertThat(host.configMaps().inNamespace("shop").withName("web").get()).isNotNull();
      assertThat(server.getRequestCount()).isEqualTo(5);
    }
  }

  private static ConfigMap configMap(String name) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().addToData("a", "b").build();
  }
}
