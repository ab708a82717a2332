package io.canary.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.testing.SimulatedCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The API meters of a client built with the interceptor, against the simulated cluster's API server. */
class KubernetesApiMetricsTest {

  @Test
  void requestsAndConflictsAreCountedByVerbResourceAndStatus() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (SimulatedCluster sim = SimulatedCluster.builder().build();
        KubernetesClient client = new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder().withMasterUrl(sim.masterUrl()).withRequestRetryBackoffLimit(0).build())
            .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor(KubernetesApiMetrics.NAME,
                KubernetesApiMetrics.of(registry)))
            .build()) {
      ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName("state").withNamespace("shop").endMetadata()
          .addToData("k", "v").build();
      client.configMaps().inNamespace("shop").resource(cm).create();
      client.configMaps().inNamespace("shop").withName("state").get();
      client.configMaps().inNamespace("shop").list();
      client.configMaps().inNamespace("shop").withName("state").edit(c -> new ConfigMapBuilder(c).addToData("k2", "v").build());
      assertThatThrownBy(() -> client.configMaps().inNamespace("shop").resource(cm).create())
          .isInstanceOf(KubernetesClientException.class);
      client.apps().deployments().inNamespace("shop").withName("web").get();
    }

    assertThat(count(registry, "create", "configmaps", "201")).isEqualTo(1);
    assertThat(count(registry, "create", "configmaps", "409")).isEqualTo(1);
    assertThat(count(registry, "get", "configmaps", "200")).isGreaterThanOrEqualTo(2);
    assertThat(count(registry, "list", "configmaps", "200")).isEqualTo(1);
    assertThat(count(registry, "patch", "configmaps", "202")).as("the mock server answers a patch with 202").isEqualTo(1);
    assertThat(count(registry, "get", "deployments", "404")).isEqualTo(1);
    assertThat(registry.get("canary.kubernetes.conflicts").tags("verb", "create", "resource", "configmaps").counter().count())
        .isEqualTo(1);
  }

  private static double count(SimpleMeterRegistry registry, String verb, String resource, String status) {
    var counter = registry.find("canary.kubernetes.requests").tags("verb", verb, "resource", resource, "status", status).counter();
    return counter == null ? 0 : counter.count();
  }
}
