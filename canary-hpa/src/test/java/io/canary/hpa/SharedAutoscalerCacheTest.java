package io.canary.hpa;

import static io.canary.hpa.HpaAwareWorkloadsTest.CANARY;
import static io.canary.hpa.HpaAwareWorkloadsTest.CANARY_HPA;
import static io.canary.hpa.HpaAwareWorkloadsTest.DEMO_NS;
import static io.canary.hpa.HpaAwareWorkloadsTest.STABLE;
import static io.canary.hpa.HpaAwareWorkloadsTest.rolloutsDemo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.Revisions;
import io.canary.core.spi.CanaryScale;
import io.canary.hpa.MockCluster.ApiRequest;
import io.canary.kubernetes.KubernetesWorkloads;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Over canary-kubernetes, a namespace has one autoscaler informer for both modules, every autoscaler
 * read comes from it (no LIST per transition), and each adapter closes only what it holds.
 */
@EnableKubernetesMockClient(crud = true, https = false, kubernetesClientBuilderCustomizer = MockCluster.TestClient.class)
class SharedAutoscalerCacheTest {
  private static final String HPAS = "/apis/autoscaling/v2/namespaces/" + DEMO_NS + "/horizontalpodautoscalers";

  KubernetesMockServer server;
  KubernetesClient client;
  MockCluster cluster;

  @BeforeEach
  void setUp() {
    cluster = new MockCluster(server, client);
    cluster.load("rollouts-demo-subsets");
    stableReplicaSet();
    cluster.requests();
  }

  @Test
  void aWholeRolloutReadsTheAutoscalersThroughOneInformerAndNeverWritesReplicasTheyOwn() throws Exception {
    try (KubernetesWorkloads deployments = KubernetesWorkloads.create(client);
        HpaAwareWorkloads workloads = HpaAwareWorkloads.wrap(client, deployments)) {
      assertThat(workloads.validate(rolloutsDemo())).isEmpty();
      Revisions revisions = workloads.ensureCanary(rolloutsDemo());
      AutoCloseable watch = workloads.watch(rolloutsDemo(), revisions, () -> {});
      try {
        workloads.scaleCanary(rolloutsDemo(), revisions, CanaryScale.preScale(3));
        workloads.observe(rolloutsDemo(), revisions);
        workloads.trafficShifted(rolloutsDemo(), revisions, 40);
        workloads.scaleCanary(rolloutsDemo(), revisions, CanaryScale.fixed(4));
        workloads.scaleStable(rolloutsDemo(), revisions, Optional.of(2));
        workloads.scaleStable(rolloutsDemo(), revisions, Optional.empty());
        workloads.promote(rolloutsDemo(), revisions);
        workloads.removeCanary(rolloutsDemo(), revisions);
      } finally {
        watch.close();
      }
    }

    List<ApiRequest> requests = cluster.requests();
    List<String> autoscalerCollectionReads = requests.stream()
        .filter(r -> r.method().equals("GET") && r.path().startsWith(HPAS + "?")).map(ApiRequest::path).toList();
    assertThat(autoscalerCollectionReads).as("one informer's list and watch, nothing listed per call")
        .hasSize(2).filteredOn(p -> p.contains("watch=true")).hasSize(1);
    assertThat(requests).as("an autoscaler is read only again after a conflict, which there was none of")
        .noneMatch(r -> r.method().equals("GET") && r.path().startsWith(HPAS + "/"));
    assertThat(requests).as("the canary's replicas are written once, before its autoscaler exists")
        .filteredOn(r -> r.writesReplicasOf(CANARY)).hasSize(1);
    assertThat(requests).noneMatch(r -> r.writesReplicasOf(STABLE));
    assertThat(client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(DEMO_NS).withName(CANARY_HPA).get())
        .isNull();
  }

  @Test
  void closingTheDecoratorLeavesTheDecoratedWorkloadsWatchesRunningAndClosingIsIdempotent() {
    KubernetesWorkloads deployments = KubernetesWorkloads.create(client);
    HpaAwareWorkloads workloads = HpaAwareWorkloads.wrap(client, deployments);
    Revisions revisions = workloads.ensureCanary(rolloutsDemo());

    workloads.close();
    workloads.close();

    assertThat(deployments.observe(rolloutsDemo(), revisions).stable().autoscaled())
        .as("the decorated KubernetesWorkloads still reads its caches").isTrue();
    deployments.close();
    deployments.close();
    assertThatThrownBy(() -> deployments.observe(rolloutsDemo(), revisions)).hasMessageContaining("closed");
  }

  @Test
  void overAnotherWorkloadsTheDecoratorsOwnInformersStopWhenItIsClosed() {
    HpaAwareWorkloads workloads = HpaAwareWorkloads.wrap(client, new RecordingDeploymentWorkloads(client));
    Revisions revisions = workloads.ensureCanary(rolloutsDemo());
    assertThat(workloads.observe(rolloutsDemo(), revisions).stable().autoscaled()).isTrue();

    workloads.close();
    workloads.close();

    assertThatThrownBy(() -> workloads.observe(rolloutsDemo(), revisions)).hasMessageContaining("closed");
  }

  /** The Deployment controller's ReplicaSet of the stable template, which canary-kubernetes reads the revision from. */
  private void stableReplicaSet() {
    Deployment stable = client.apps().deployments().inNamespace(DEMO_NS).withName(STABLE).get();
    client.apps().replicaSets().inNamespace(DEMO_NS).resource(new ReplicaSetBuilder()
        .withNewMetadata().withName(STABLE + "-blue").withNamespace(DEMO_NS)
        .addToLabels(stable.getSpec().getTemplate().getMetadata().getLabels()).addToLabels("pod-template-hash", "blue")
        .addNewOwnerReference().withApiVersion("apps/v1").withKind("Deployment").withName(STABLE)
        .withUid(stable.getMetadata().getUid()).withController(true).endOwnerReference()
        .endMetadata()
        .withNewSpec().withReplicas(5).withNewSelector().addToMatchLabels("app", "rollouts-demo")
        .addToMatchLabels("pod-template-hash", "blue").endSelector()
        .withTemplate(stable.getSpec().getTemplate()).endSpec()
        .build()).create();
  }
}
