package io.canary.hpa;

import static io.canary.hpa.HpaAwareWorkloadsTest.CANARY;
import static io.canary.hpa.HpaAwareWorkloadsTest.CANARY_HPA;
import static io.canary.hpa.HpaAwareWorkloadsTest.DEMO_NS;
import static io.canary.hpa.HpaAwareWorkloadsTest.ORIGINAL_BOUNDS;
import static io.canary.hpa.HpaAwareWorkloadsTest.helloworld;
import static io.canary.hpa.HpaAwareWorkloadsTest.rolloutsDemo;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanarySpec;
import io.canary.core.Revisions;
import io.canary.core.ScalingOptions;
import io.canary.core.spi.CanaryScale;
import io.canary.core.spi.RevisionState;
import io.canary.hpa.MockCluster.ApiRequest;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A setCanaryScale count on an autoscaled canary: the canary's autoscaler is held at exactly that
 * count (minimum and maximum), through traffic shifts, until the next scale request or the end.
 */
@EnableKubernetesMockClient(crud = true, https = false, kubernetesClientBuilderCustomizer = MockCluster.TestClient.class)
class FixedCanaryScaleTest {
  static final String FIXED_SCALE = "canary.io/fixed-scale";

  KubernetesMockServer server;
  KubernetesClient client;
  MockCluster cluster;
  RecordingDeploymentWorkloads deployments;
  HpaAwareWorkloads workloads;

  @BeforeEach
  void setUp() {
    cluster = new MockCluster(server, client);
    deployments = new RecordingDeploymentWorkloads(client);
  }

  @AfterEach
  void tearDown() {
    if (workloads != null) {
      workloads.close();
    }
  }

  /** The scenario's objects in the API server, then the decorator that reads them. */
  void load(String scenario) {
    cluster.load(scenario);
    workloads = HpaAwareWorkloads.wrap(client, deployments);
  }

  @Test
  void aFixedScaleHoldsTheCanaryAutoscalerAtTheCountThroughTrafficShiftsUntilTheNextRequest() {
    load("rollouts-demo-subsets");
    Revisions revisions = workloads.ensureCanary(rolloutsDemo());
    cluster.requests();

    workloads.scaleCanary(rolloutsDemo(), revisions, CanaryScale.fixed(4));

    assertThat(bounds(CANARY_HPA)).containsExactly(4, 4);
    assertThat(annotations(CANARY_HPA)).containsEntry(FIXED_SCALE, "4")
        .containsEntry(ORIGINAL_BOUNDS, "{\"minReplicas\":2,\"maxReplicas\":6}");
    RevisionState observed = workloads.observe(rolloutsDemo(), revisions).canary().orElseThrow();
    assertThat(observed.desired()).isEqualTo(4);
    assertThat(observed.maxReplicas()).contains(4);

    workloads.trafficShifted(rolloutsDemo(), revisions, 40);
    assertThat(bounds(CANARY_HPA)).as("a weight moving does not end the fixed scale").containsExactly(4, 4);

    workloads.scaleCanary(rolloutsDemo(), revisions, CanaryScale.preScale(5));
    assertThat(bounds(CANARY_HPA)).as("the next request ends it").containsExactly(5, 6);
    assertThat(annotations(CANARY_HPA)).doesNotContainKey(FIXED_SCALE);
    workloads.trafficShifted(rolloutsDemo(), revisions, 60);
    assertThat(bounds(CANARY_HPA)).containsExactly(2, 6);
    assertThat(annotations(CANARY_HPA)).doesNotContainKeys(FIXED_SCALE, ORIGINAL_BOUNDS);
    assertThat(cluster.requests()).noneMatch(r -> r.writesReplicasOf(CANARY));
    assertThat(deployments.replicaWrites()).as("only the one before the autoscaler existed").hasSize(1);
  }

  @Test
  void aFixedCountAboveTheUsersMaximumIsHeldAndTheWritesNameOnlyTheBoundsAndTheRolloutsAnnotations() {
    load("rollouts-demo-subsets");
    Revisions revisions = workloads.ensureCanary(rolloutsDemo());
    cluster.requests();

    workloads.scaleCanary(rolloutsDemo(), revisions, CanaryScale.fixed(8));

    assertThat(bounds(CANARY_HPA)).containsExactly(8, 8);
    List<ApiRequest> writes = cluster.requests().stream().filter(ApiRequest::writes).toList();
    assertThat(writes).singleElement().satisfies(w -> {
      assertThat(w.method()).isEqualTo("PATCH");
      assertThat(w.path()).contains("/horizontalpodautoscalers/" + CANARY_HPA);
      assertThat(w.body()).contains("/spec/minReplicas", "/spec/maxReplicas", "canary.io~1fixed-scale",
          "canary.io~1original-bounds", "/metadata/resourceVersion").doesNotContain("/spec/metrics", "/status");
    });
  }

  @Test
  void withPreScalingOffAFixedScaleStillHolds() {
    load("rollouts-demo-subsets");
    CanarySpec off = CanarySpec.copyOf(rolloutsDemo()).withScaling(ScalingOptions.builder().preScale(false).build());
    Revisions revisions = workloads.ensureCanary(off);

    workloads.scaleCanary(off, revisions, CanaryScale.fixed(3));
    assertThat(bounds(CANARY_HPA)).containsExactly(3, 3);

    workloads.scaleCanary(off, revisions, CanaryScale.preScale(5));
    assertThat(bounds(CANARY_HPA)).as("a pre-scale with pre-scaling off gives the canary back to its autoscaler")
        .containsExactly(2, 6);
  }

  @Test
  void theEndRemovesTheFixedCanaryAutoscaler() {
    load("rollouts-demo-subsets");
    Revisions revisions = workloads.ensureCanary(rolloutsDemo());
    workloads.scaleCanary(rolloutsDemo(), revisions, CanaryScale.fixed(3));

    workloads.removeCanary(rolloutsDemo(), revisions);

    assertThat(hpa(DEMO_NS, CANARY_HPA)).isNull();
  }

  @Test
  void aFixedScaleOnTheUsersCanaryAutoscalerIsGivenBackExactlyAtTheEnd() {
    load("helloworld-versions");
    HorizontalPodAutoscalerSpec usersV2 = hpa("default", "helloworld-v2").getSpec();
    Revisions revisions = workloads.ensureCanary(helloworld());

    workloads.scaleCanary(helloworld(), revisions, CanaryScale.fixed(4));
    assertThat(hpa("default", "helloworld-v2").getSpec().getMinReplicas()).isEqualTo(4);
    assertThat(hpa("default", "helloworld-v2").getSpec().getMaxReplicas()).isEqualTo(4);
    workloads.trafficShifted(helloworld(), revisions, 50);
    workloads.promote(helloworld(), revisions);
    workloads.removeCanary(helloworld(), revisions);

    HorizontalPodAutoscaler v2 = hpa("default", "helloworld-v2");
    assertThat(v2.getSpec()).isEqualTo(usersV2);
    assertThat(v2.getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(cluster.requests()).noneMatch(r -> r.writesReplicasOf("helloworld-v2") || r.method().equals("DELETE"));
  }

  private HorizontalPodAutoscaler hpa(String namespace, String name) {
    return client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace).withName(name).get();
  }

  private List<Integer> bounds(String name) {
    HorizontalPodAutoscalerSpec spec = hpa(DEMO_NS, name).getSpec();
    return List.of(spec.getMinReplicas(), spec.getMaxReplicas());
  }

  private java.util.Map<String, String> annotations(String name) {
    return hpa(DEMO_NS, name).getMetadata().getAnnotations();
  }
}
