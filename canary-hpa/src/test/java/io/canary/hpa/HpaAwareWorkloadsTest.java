package io.canary.hpa;

import io.canary.core.memory.InMemoryStrategy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.CanaryAutoscaler;
import io.canary.core.CanarySpec;
import io.canary.core.CanaryValidationException;
import io.canary.core.NewRevision;
import io.canary.core.Problem;
import io.canary.core.Revisions;
import io.canary.core.ScalingOptions;
import io.canary.core.Step;
import io.canary.core.WorkloadRef;
import io.canary.core.spi.CanaryScale;
import io.canary.core.spi.RevisionState;
import io.canary.hpa.MockCluster.ApiRequest;
import io.canary.hpa.RecordingDeploymentWorkloads.Call;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false, kubernetesClientBuilderCustomizer = MockCluster.TestClient.class)
class HpaAwareWorkloadsTest {
  static final String DEMO_NS = "istio-argo-rollouts";
  static final String STABLE = "rollouts-demo-deployment";
  static final String CANARY = STABLE + "-canary";
  static final String STABLE_HPA = "hpa-rollout-example";
  static final String CANARY_HPA = STABLE_HPA + "-canary";
  static final String ORIGINAL_BOUNDS = "canary.io/original-bounds";

  KubernetesMockServer server;
  KubernetesClient client;
  MockCluster cluster;
  RecordingDeploymentWorkloads deployments;

  final List<HpaAwareWorkloads> opened = new ArrayList<>();

  @BeforeEach
  void setUp() {
    cluster = new MockCluster(server, client);
    deployments = new RecordingDeploymentWorkloads(client);
  }

  @AfterEach
  void closeWorkloads() {
    opened.forEach(HpaAwareWorkloads::close);
  }

  // --- cloning ---------------------------------------------------------------------------------

  @Test
  void canaryGetsItsOwnAutoscalerClonedFromTheStableOneStartingAtItsMinimum() {
    cluster.load("rollouts-demo-subsets");
    hpa(DEMO_NS, STABLE_HPA).edit(h -> new HorizontalPodAutoscalerBuilder(h).editSpec().withNewBehavior()
        .withNewScaleDown().withStabilizationWindowSeconds(60).endScaleDown().endBehavior().endSpec().build());
    HorizontalPodAutoscaler stable = hpa(DEMO_NS, STABLE_HPA).get();

    Revisions revisions = wrap(deployments).ensureCanary(rolloutsDemo());

    HorizontalPodAutoscaler canary = hpa(DEMO_NS, CANARY_HPA).get();
    assertThat(revisions.canary().workload()).isEqualTo(CANARY);
    assertThat(canary.getSpec().getScaleTargetRef().getName()).isEqualTo(CANARY);
    assertThat(canary.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
    assertThat(canary.getSpec().getMetrics()).isEqualTo(stable.getSpec().getMetrics());
    assertThat(canary.getSpec().getBehavior()).isEqualTo(stable.getSpec().getBehavior()).isNotNull();
    assertThat(canary.getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(canary.getSpec().getMaxReplicas()).isEqualTo(6);
    assertThat(canary.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "canary-sdk").containsEntry("canary.io/rollout", "rollouts-demo");
    // seed rollouts-demo-subsets: the canary starts at the autoscaler's minimum, not the Deployment's 5
    assertThat(deployment(DEMO_NS, CANARY).getSpec().getReplicas()).isEqualTo(2);
    assertThat(hpa(DEMO_NS, STABLE_HPA).get()).isEqualTo(stable);
  }

  @Test
  void canaryReplicasAreWrittenOnceBeforeItsAutoscalerExistsAndNeverAfter() {
    HpaAwareWorkloads workloads = demoWorkloads();

    Revisions revisions = workloads.ensureCanary(rolloutsDemo());
    List<ApiRequest> requests = cluster.requests();
    int replicasWrite = indexOf(requests, r -> r.writesReplicasOf(CANARY));
    int hpaCreated = indexOf(requests, r -> r.method().equals("POST") && r.body().contains(CANARY_HPA));
    assertThat(replicasWrite).isNotNegative().isLessThan(hpaCreated);

    workloads.scaleCanary(rolloutsDemo(), revisions, CanaryScale.preScale(4));
    workloads.trafficShifted(rolloutsDemo(), revisions, 20);
    workloads.scaleCanary(rolloutsDemo(), revisions, CanaryScale.preScale(5));
    workloads.scaleStable(rolloutsDemo(), revisions, Optional.of(1));
    workloads.scaleStable(rolloutsDemo(), revisions, Optional.empty());
    workloads.promote(rolloutsDemo(), revisions);
    workloads.removeCanary(rolloutsDemo(), revisions);

    assertThat(cluster.requests()).noneMatch(r -> r.writesReplicasOf(CANARY) || r.writesReplicasOf(STABLE));
    assertThat(deployments.replicaWrites()).containsExactly(new Call("scaleCanary", CANARY, Optional.of(2)));
  }

  @Test
  void ensureCanaryAgainFindsTheCanaryAutoscalerAndWritesNothing() {
    cluster.load("rollouts-demo-subsets");
    wrap(deployments).ensureCanary(rolloutsDemo());
    HorizontalPodAutoscaler created = hpa(DEMO_NS, CANARY_HPA).get();
    cluster.requests();

    wrap(deployments).ensureCanary(rolloutsDemo());

    assertThat(cluster.requests()).filteredOn(ApiRequest::writes).isEmpty();
    assertThat(hpa(DEMO_NS, CANARY_HPA).get()).isEqualTo(created);
    assertThat(deployments.replicaWrites()).hasSize(1);
  }

  // --- pre-scaling -----------------------------------------------------------------------------

  @Test
  void preScalingRaisesTheMinimumObserveReportsItAndTrafficShiftedGivesItBack() {
    HpaAwareWorkloads workloads = demoWorkloads();
    Revisions revisions = workloads.ensureCanary(rolloutsDemo());

    workloads.scaleCanary(rolloutsDemo(), revisions, CanaryScale.preScale(4));

    HorizontalPodAutoscaler canary = hpa(DEMO_NS, CANARY_HPA).get();
    assertThat(canary.getSpec().getMinReplicas()).isEqualTo(4);
    assertThat(canary.getSpec().getMaxReplicas()).isEqualTo(6);
    assertThat(canary.getMetadata().getAnnotations())
        .containsEntry(ORIGINAL_BOUNDS, "{\"minReplicas\":2,\"maxReplicas\":6}");
    // the runner waits until the canary has this many pods available before it moves the weight
    RevisionState observed = workloads.observe(rolloutsDemo(), revisions).canary().orElseThrow();
    assertThat(observed.autoscaled()).isTrue();
    assertThat(observed.minReplicas()).contains(4);
    assertThat(observed.maxReplicas()).contains(6);
    assertThat(observed.desired()).isGreaterThanOrEqualTo(4);
    assertThat(deployments.replicaWrites()).hasSize(1); // only the initial one, before the autoscaler

    workloads.trafficShifted(rolloutsDemo(), revisions, 20);

    HorizontalPodAutoscaler shifted = hpa(DEMO_NS, CANARY_HPA).get();
    assertThat(shifted.getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(shifted.getMetadata().getAnnotations()).doesNotContainKey(ORIGINAL_BOUNDS);
    assertThat(workloads.observe(rolloutsDemo(), revisions).canary().orElseThrow().minReplicas()).contains(2);
    assertThat(deployments.calls()).contains(new Call("trafficShifted", CANARY, Optional.empty()));
  }

  @Test
  void aChangedAutoscalerWakesTheWatcherAndObserveShowsTheChange() throws Exception {
    HpaAwareWorkloads workloads = demoWorkloads();
    Revisions revisions = workloads.ensureCanary(rolloutsDemo());
    CountDownLatch seen = new CountDownLatch(1);
    Runnable onChange = () -> {
      if (workloads.observe(rolloutsDemo(), revisions).canary().orElseThrow().maxReplicas().equals(Optional.of(9))) {
        seen.countDown();
      }
    };
    try (AutoCloseable watch = workloads.watch(rolloutsDemo(), revisions, onChange)) {
      // someone else (the user, another tool) changes the canary's autoscaler
      hpa(DEMO_NS, CANARY_HPA).edit(h -> new HorizontalPodAutoscalerBuilder(h).editSpec().withMaxReplicas(9)
          .endSpec().build());

      assertThat(seen.await(5, TimeUnit.SECONDS)).as("onChange, with observe showing max 9").isTrue();
    }
  }

  @Test
  void rolloutsWatchingOneNamespaceShareItsInformerAndClosingOneLeavesTheOtherAwake() throws Exception {
    HpaAwareWorkloads workloads = demoWorkloads();
    Revisions revisions = workloads.ensureCanary(rolloutsDemo());
    CountDownLatch secondSeesMax9 = new CountDownLatch(1);
    AutoCloseable first = workloads.watch(rolloutsDemo(), revisions, () -> {});
    try (AutoCloseable second = workloads.watch(rolloutsDemo(), revisions, () -> {
      if (workloads.observe(rolloutsDemo(), revisions).stable().maxReplicas().equals(Optional.of(9))) {
        secondSeesMax9.countDown();
      }
    })) {
      first.close();
      first.close(); // a second close must not stop the other rollout's watch

      hpa(DEMO_NS, STABLE_HPA).edit(h -> new HorizontalPodAutoscalerBuilder(h).editSpec().withMaxReplicas(9)
          .endSpec().build());

      assertThat(secondSeesMax9.await(5, TimeUnit.SECONDS)).as("onChange of the rollout still watching").isTrue();
    }
  }

  @Test
  void aDamagedBoundsAnnotationIsReportedNotGuessed() throws Exception {
    HpaAwareWorkloads workloads = demoWorkloads();
    Revisions revisions = workloads.ensureCanary(rolloutsDemo());
    awaitSeen(workloads, revisions, r -> r.stable().maxReplicas().equals(Optional.of(1)), () ->
        hpa(DEMO_NS, STABLE_HPA).edit(h -> new HorizontalPodAutoscalerBuilder(h).editMetadata()
            .addToAnnotations(ORIGINAL_BOUNDS, "six").endMetadata().editSpec().withMaxReplicas(1).endSpec().build()));

    assertThatThrownBy(() -> workloads.scaleStable(rolloutsDemo(), revisions, Optional.empty()))
        .hasMessageContaining("HorizontalPodAutoscaler " + DEMO_NS + "/" + STABLE_HPA)
        .hasMessageContaining(ORIGINAL_BOUNDS)
        .hasMessageContaining("{\"minReplicas\":N,\"maxReplicas\":M}");
    assertThat(bounds(DEMO_NS, STABLE_HPA)).containsExactly(2, 1);
  }

  @Test
  void observeReadsAutoscalersFromTheWatchCache() throws Exception {
    HpaAwareWorkloads workloads = demoWorkloads();
    Revisions revisions = workloads.ensureCanary(rolloutsDemo());
    try (AutoCloseable watch = workloads.watch(rolloutsDemo(), revisions, () -> {})) {
      cluster.requests();

      RevisionState stable = workloads.observe(rolloutsDemo(), revisions).stable();

      assertThat(stable.autoscaled()).isTrue();
      assertThat(stable.minReplicas()).contains(2);
      assertThat(cluster.requests()).noneMatch(r -> r.path().contains("horizontalpodautoscalers"));
    }
  }

  @Test
  void preScalingIsCappedByTheOptionAndByTheAutoscalersMaximum() {
    cluster.load("rollouts-demo-subsets");
    CanarySpec capped = CanarySpec.copyOf(rolloutsDemo())
        .withScaling(ScalingOptions.builder().preScaleCap(3).build());
    HpaAwareWorkloads workloads = wrap(deployments);
    Revisions revisions = workloads.ensureCanary(capped);

    workloads.scaleCanary(capped, revisions, CanaryScale.preScale(5));
    assertThat(hpa(DEMO_NS, CANARY_HPA).get().getSpec().getMinReplicas()).isEqualTo(3);

    workloads.scaleCanary(rolloutsDemo(), revisions, CanaryScale.preScale(50));
    assertThat(hpa(DEMO_NS, CANARY_HPA).get().getSpec().getMinReplicas()).isEqualTo(6);
    assertThat(hpa(DEMO_NS, CANARY_HPA).get().getSpec().getMaxReplicas()).isEqualTo(6);
  }

  @Test
  void withPreScalingOffTheAutoscalerAloneSizesTheCanary() {
    cluster.load("rollouts-demo-subsets");
    CanarySpec off = CanarySpec.copyOf(rolloutsDemo()).withScaling(ScalingOptions.builder().preScale(false).build());
    HpaAwareWorkloads workloads = wrap(deployments);
    Revisions revisions = workloads.ensureCanary(off);
    cluster.requests();

    workloads.scaleCanary(off, revisions, CanaryScale.preScale(5));

    assertThat(cluster.requests()).filteredOn(ApiRequest::writes).isEmpty();
    assertThat(hpa(DEMO_NS, CANARY_HPA).get().getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(deployments.replicaWrites()).hasSize(1);
  }

  @Test
  void withoutAutoscalersReplicaCountsGoThroughTheDecoratedWorkloads() {
    cluster.load("rollouts-demo-subsets");
    hpa(DEMO_NS, STABLE_HPA).delete();
    HpaAwareWorkloads workloads = wrap(deployments);
    Revisions revisions = workloads.ensureCanary(rolloutsDemo());

    workloads.scaleCanary(rolloutsDemo(), revisions, CanaryScale.preScale(3));
    workloads.scaleStable(rolloutsDemo(), revisions, Optional.of(2));
    assertThat(deployment(DEMO_NS, CANARY).getSpec().getReplicas()).isEqualTo(3);
    assertThat(deployment(DEMO_NS, STABLE).getSpec().getReplicas()).isEqualTo(2);

    workloads.scaleStable(rolloutsDemo(), revisions, Optional.empty());

    assertThat(deployment(DEMO_NS, STABLE).getSpec().getReplicas()).isEqualTo(5);
    assertThat(client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(DEMO_NS).list().getItems()).isEmpty();
    assertThat(deployments.replicaWrites()).containsExactly(
        new Call("scaleCanary", CANARY, Optional.of(3)),
        new Call("scaleStable", STABLE, Optional.of(2)),
        new Call("scaleStable", STABLE, Optional.empty()));
  }

  // --- dynamic stable scale --------------------------------------------------------------------

  @Test
  void dynamicStableScaleMovesTheStableAutoscalersBoundsAndGivesThemBackExactly() {
    HpaAwareWorkloads workloads = demoWorkloads();
    Revisions revisions = workloads.ensureCanary(rolloutsDemo());

    workloads.scaleStable(rolloutsDemo(), revisions, Optional.of(4));
    assertThat(bounds(DEMO_NS, STABLE_HPA)).containsExactly(2, 4);
    workloads.scaleStable(rolloutsDemo(), revisions, Optional.of(1));
    assertThat(bounds(DEMO_NS, STABLE_HPA)).containsExactly(1, 1);
    assertThat(hpa(DEMO_NS, STABLE_HPA).get().getMetadata().getAnnotations())
        .containsEntry(ORIGINAL_BOUNDS, "{\"minReplicas\":2,\"maxReplicas\":6}");

    workloads.scaleStable(rolloutsDemo(), revisions, Optional.empty());

    assertThat(bounds(DEMO_NS, STABLE_HPA)).containsExactly(2, 6);
    assertThat(hpa(DEMO_NS, STABLE_HPA).get().getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(cluster.requests()).noneMatch(r -> r.writesReplicasOf(STABLE));
    assertThat(deployments.calls()).noneMatch(c -> c.method().equals("scaleStable"));
    assertThat(deployment(DEMO_NS, STABLE).getSpec().getReplicas()).isEqualTo(5);
  }

  @Test
  void anUnsetMinimumIsGivenBackUnset() {
    cluster.load("rollouts-demo-subsets");
    hpa(DEMO_NS, STABLE_HPA).edit(h -> new HorizontalPodAutoscalerBuilder(h).editSpec().withMinReplicas(null)
        .endSpec().build());
    HpaAwareWorkloads workloads = wrap(deployments);
    Revisions revisions = workloads.ensureCanary(rolloutsDemo());

    workloads.scaleCanary(rolloutsDemo(), revisions, CanaryScale.preScale(3));
    workloads.scaleStable(rolloutsDemo(), revisions, Optional.of(2));
    workloads.removeCanary(rolloutsDemo(), revisions);

    HorizontalPodAutoscaler stable = hpa(DEMO_NS, STABLE_HPA).get();
    assertThat(stable.getSpec().getMinReplicas()).isNull();
    assertThat(stable.getSpec().getMaxReplicas()).isEqualTo(6);
  }

  // --- the user's bounds come back ------------------------------------------------------------

  @Test
  void afterAPromotionTheUsersBoundsAreBackAndTheCanaryAutoscalerIsGone() {
    HpaAwareWorkloads workloads = demoWorkloads();
    HorizontalPodAutoscaler usersStable = hpa(DEMO_NS, STABLE_HPA).get();
    Revisions revisions = workloads.ensureCanary(rolloutsDemo());
    workloads.scaleCanary(rolloutsDemo(), revisions, CanaryScale.preScale(4));
    workloads.trafficShifted(rolloutsDemo(), revisions, 40);
    workloads.scaleStable(rolloutsDemo(), revisions, Optional.of(3));

    workloads.promote(rolloutsDemo(), revisions);
    workloads.removeCanary(rolloutsDemo(), revisions);

    assertUsersBoundsBackAndCanaryAutoscalerGone(usersStable);
    assertThat(client.apps().deployments().inNamespace(DEMO_NS).withName(CANARY).get()).isNull();
  }

  @Test
  void afterAnAbortTheUsersBoundsAreBackAndTheCanaryAutoscalerIsGone() {
    HpaAwareWorkloads workloads = demoWorkloads();
    HorizontalPodAutoscaler usersStable = hpa(DEMO_NS, STABLE_HPA).get();
    Revisions revisions = workloads.ensureCanary(rolloutsDemo());
    workloads.scaleCanary(rolloutsDemo(), revisions, CanaryScale.preScale(4));
    workloads.scaleStable(rolloutsDemo(), revisions, Optional.of(2));

    workloads.removeCanary(rolloutsDemo(), revisions);

    assertUsersBoundsBackAndCanaryAutoscalerGone(usersStable);
    assertThat(deployments.calls()).noneMatch(c -> c.method().equals("promote"));
  }

  @Test
  void aRunnerStartedAfterACrashGivesTheUsersBoundsBackFromTheAutoscaler() {
    cluster.load("rollouts-demo-subsets");
    HpaAwareWorkloads crashed = wrap(deployments);
    Revisions revisions = crashed.ensureCanary(rolloutsDemo());
    crashed.scaleCanary(rolloutsDemo(), revisions, CanaryScale.preScale(5));
    crashed.scaleStable(rolloutsDemo(), revisions, Optional.of(1));

    HpaAwareWorkloads resumed = wrap(new RecordingDeploymentWorkloads(client));
    Revisions again = resumed.ensureCanary(rolloutsDemo());
    resumed.scaleStable(rolloutsDemo(), again, Optional.empty());
    assertThat(bounds(DEMO_NS, STABLE_HPA)).containsExactly(2, 6);
    resumed.scaleStable(rolloutsDemo(), again, Optional.of(1));
    resumed.removeCanary(rolloutsDemo(), again);

    assertThat(again).isEqualTo(revisions);
    assertThat(bounds(DEMO_NS, STABLE_HPA)).containsExactly(2, 6);
    assertThat(hpa(DEMO_NS, STABLE_HPA).get().getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(hpa(DEMO_NS, CANARY_HPA).get()).isNull();
  }

  @Test
  void aChangedAutoscalerSpecIsUsedByTheCanaryAndCarriedToTheStableByPromotion() {
    cluster.load("rollouts-demo-subsets");
    hpa(DEMO_NS, STABLE_HPA).edit(h -> new HorizontalPodAutoscalerBuilder(h).editMetadata()
        .addToLabels("team", "demo").addToAnnotations("owner", "ops").endMetadata().build());
    HorizontalPodAutoscalerSpec released = new HorizontalPodAutoscalerSpecBuilder()
        .withMinReplicas(3).withMaxReplicas(9)
        .addNewMetric().withType("Resource").withNewResource().withName("cpu").withNewTarget()
          .withType("Utilization").withAverageUtilization(40).endTarget().endResource().endMetric()
        .withNewBehavior().withNewScaleUp().withStabilizationWindowSeconds(0).endScaleUp().endBehavior()
        .withNewScaleTargetRef().withKind("Deployment").withName("ignored").endScaleTargetRef()
        .build();
    CanarySpec spec = withCanaryAutoscaler(rolloutsDemo(), released);
    HpaAwareWorkloads workloads = wrap(deployments);
    assertThat(workloads.validate(spec)).isEmpty();

    Revisions revisions = workloads.ensureCanary(spec);
    HorizontalPodAutoscaler canary = hpa(DEMO_NS, CANARY_HPA).get();
    assertThat(canary.getSpec().getMetrics()).isEqualTo(released.getMetrics());
    assertThat(canary.getSpec().getBehavior()).isEqualTo(released.getBehavior());
    assertThat(canary.getSpec().getScaleTargetRef().getName()).isEqualTo(CANARY);
    assertThat(bounds(DEMO_NS, CANARY_HPA)).containsExactly(3, 9);
    assertThat(deployment(DEMO_NS, CANARY).getSpec().getReplicas()).isEqualTo(3);

    workloads.scaleStable(spec, revisions, Optional.of(1));
    workloads.promote(spec, revisions);

    HorizontalPodAutoscaler stable = hpa(DEMO_NS, STABLE_HPA).get();
    assertThat(stable.getSpec().getMetrics()).isEqualTo(released.getMetrics());
    assertThat(stable.getSpec().getBehavior()).isEqualTo(released.getBehavior());
    assertThat(bounds(DEMO_NS, STABLE_HPA)).containsExactly(3, 9);
    assertThat(stable.getSpec().getScaleTargetRef().getName()).isEqualTo(STABLE);
    assertThat(stable.getMetadata().getLabels()).containsEntry("team", "demo");
    assertThat(stable.getMetadata().getAnnotations()).containsExactly(Map.entry("owner", "ops"));
    assertThat(deployments.calls()).extracting(Call::method).containsSubsequence("promote");

    workloads.removeCanary(spec, revisions);
    assertThat(bounds(DEMO_NS, STABLE_HPA)).containsExactly(3, 9);
  }

  @Test
  void anotherRolloutOfTheSameRunnerReleasesAnotherAutoscalerSpec() {
    cluster.load("rollouts-demo-subsets");
    HpaAwareWorkloads workloads = wrap(deployments);
    CanarySpec first = withCanaryAutoscaler(rolloutsDemo(), new HorizontalPodAutoscalerSpecBuilder()
        .withMinReplicas(3).withMaxReplicas(9).build());
    Revisions revisions = workloads.ensureCanary(first);
    assertThat(bounds(DEMO_NS, CANARY_HPA)).containsExactly(3, 9);
    workloads.removeCanary(first, revisions);

    CanarySpec second = withCanaryAutoscaler(rolloutsDemo(), new HorizontalPodAutoscalerSpecBuilder()
        .withMinReplicas(4).withMaxReplicas(8).build());
    workloads.ensureCanary(second);

    assertThat(bounds(DEMO_NS, CANARY_HPA)).as("the second release's autoscaler, on the same decorator").containsExactly(4, 8);
  }

  // --- removal ---------------------------------------------------------------------------------

  @Test
  void removalDeletesTheCanaryAutoscalerBeforeTheCanaryWorkload() {
    HpaAwareWorkloads workloads = demoWorkloads();
    Revisions revisions = workloads.ensureCanary(rolloutsDemo());
    cluster.requests();

    workloads.removeCanary(rolloutsDemo(), revisions);

    List<ApiRequest> requests = cluster.requests();
    int hpaDeleted = indexOf(requests, r -> r.is("DELETE", "horizontalpodautoscalers", CANARY_HPA));
    int canaryDeleted = indexOf(requests, r -> r.is("DELETE", "deployments", CANARY));
    assertThat(hpaDeleted).isNotNegative().isLessThan(canaryDeleted);

    workloads.removeCanary(rolloutsDemo(), revisions); // idempotent: a resumed runner may call it again
    assertThat(hpa(DEMO_NS, STABLE_HPA).get()).isNotNull();
  }

  // --- existing workloads (seed helloworld-versions) -------------------------------------------

  @Test
  void withTwoUserWorkloadsTheUsersAutoscalersArePreScaledAndGivenBackNeverClonedOrDeleted() {
    cluster.load("helloworld-versions");
    HorizontalPodAutoscaler v1 = hpa("default", "helloworld-v1").get();
    HorizontalPodAutoscaler v2 = hpa("default", "helloworld-v2").get();
    HpaAwareWorkloads workloads = wrap(deployments);
    assertThat(workloads.validate(helloworld())).isEmpty();

    Revisions revisions = workloads.ensureCanary(helloworld());
    assertThat(client.autoscaling().v2().horizontalPodAutoscalers().inNamespace("default").list().getItems())
        .hasSize(2);

    workloads.scaleCanary(helloworld(), revisions, CanaryScale.preScale(5));
    assertThat(bounds("default", "helloworld-v2")).containsExactly(5, 10);
    workloads.trafficShifted(helloworld(), revisions, 50);
    assertThat(bounds("default", "helloworld-v2")).containsExactly(1, 10);
    workloads.scaleCanary(helloworld(), revisions, CanaryScale.preScale(8));
    workloads.scaleStable(helloworld(), revisions, Optional.of(3));
    assertThat(bounds("default", "helloworld-v1")).containsExactly(1, 3);

    workloads.promote(helloworld(), revisions);
    workloads.removeCanary(helloworld(), revisions);

    assertThat(hpa("default", "helloworld-v1").get().getSpec()).isEqualTo(v1.getSpec());
    assertThat(hpa("default", "helloworld-v2").get().getSpec()).isEqualTo(v2.getSpec());
    assertThat(hpa("default", "helloworld-v2").get().getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(cluster.requests()).noneMatch(r -> r.writesReplicasOf("helloworld-v1")
        || r.writesReplicasOf("helloworld-v2") || r.method().equals("DELETE"));
    assertThat(deployments.replicaWrites()).isEmpty();
  }

  // --- validation ------------------------------------------------------------------------------

  @Test
  void validationReportsEveryAutoscalerProblemBeforeAnyWrite() {
    cluster.load("rollouts-demo-subsets");
    client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(DEMO_NS).resource(
        new HorizontalPodAutoscalerBuilder(hpa(DEMO_NS, STABLE_HPA).get()).editMetadata().withName("second")
            .withResourceVersion(null).withUid(null).endMetadata().build()).create();
    client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(DEMO_NS).resource(
        new HorizontalPodAutoscalerBuilder(hpa(DEMO_NS, STABLE_HPA).get()).editMetadata().withName(CANARY_HPA)
            .withResourceVersion(null).withUid(null).endMetadata()
            .editSpec().editScaleTargetRef().withName("another-deployment").endScaleTargetRef().endSpec()
            .build()).create();
    CanarySpec fixedAtZero = CanarySpec.copyOf(rolloutsDemo())
        .withSteps(Step.setCanaryScaleReplicas(0), Step.pause(), Step.setCanaryScaleMatchTrafficWeight());
    HpaAwareWorkloads workloads = wrap(deployments);
    cluster.requests();

    List<Problem> problems = workloads.validate(fixedAtZero);

    assertThat(problems).extracting(Problem::where).containsExactlyInAnyOrder(
        "Deployment " + DEMO_NS + "/" + STABLE,
        "HorizontalPodAutoscaler " + DEMO_NS + "/" + CANARY_HPA,
        "steps[0] (setCanaryScale replicas 0)");
    assertThat(problems.get(0).message()).contains(STABLE_HPA, "second");
    assertThat(problems.get(2).message()).contains("keeps at least 1");
    assertThat(cluster.requests()).filteredOn(ApiRequest::writes).isEmpty();
  }

  @Test
  void theReleasedAutoscalersBoundsAreCheckedWhenTheSpecIsBuilt() {
    HorizontalPodAutoscalerSpec inverted = new HorizontalPodAutoscalerSpecBuilder()
        .withMinReplicas(5).withMaxReplicas(2).build();

    assertThatThrownBy(() -> withCanaryAutoscaler(rolloutsDemo(), inverted))
        .isInstanceOfSatisfying(CanaryValidationException.class, e -> assertThat(e.problems()).singleElement()
            .satisfies(p -> assertThat(p.where()).isEqualTo("scaling.canaryAutoscaler.minReplicas"))
            .satisfies(p -> assertThat(p.message()).contains("above maxReplicas 2")));
  }

  @Test
  void aCanaryAutoscalerOfAnotherKindIsRefused() {
    cluster.load("rollouts-demo-subsets");
    CanarySpec spec = CanarySpec.copyOf(rolloutsDemo()).withScaling(ScalingOptions.builder()
        .canaryAutoscaler(new CanaryAutoscaler() {
          @Override
          public String kind() {
            return "ScaledObject";
          }

          @Override
          public String canonicalForm() {
            return "keda";
          }
        }).build());

    assertThat(wrap(deployments).validate(spec)).singleElement().satisfies(p -> {
      assertThat(p.where()).isEqualTo("scaling.canaryAutoscaler");
      assertThat(p.message()).contains("ScaledObject", "HpaSettings.of(");
    });
  }

  @Test
  void aChangedAutoscalerSpecNeedsAStableAutoscalerAndACreatedCanary() {
    cluster.load("helloworld-versions");
    HorizontalPodAutoscalerSpec released = new HorizontalPodAutoscalerSpecBuilder().withMaxReplicas(4).build();
    HpaAwareWorkloads workloads = wrap(deployments);

    assertThat(workloads.validate(withCanaryAutoscaler(helloworld(), released))).singleElement()
        .satisfies(p -> assertThat(p.message()).contains("helloworld-v2", "user's own autoscaler"));
  }

  @Test
  void wrapNamesWhatIsMissing() {
    assertThatThrownBy(() -> HpaAwareWorkloads.wrap(null, deployments)).hasMessageContaining("client is required");
    assertThatThrownBy(() -> HpaAwareWorkloads.wrap(client, null)).hasMessageContaining("delegate is required");
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** A decorator over {@code delegate} that the test closes at its end. */
  HpaAwareWorkloads wrap(io.canary.core.spi.Workloads delegate) {
    HpaAwareWorkloads workloads = HpaAwareWorkloads.wrap(client, delegate);
    opened.add(workloads);
    return workloads;
  }

  static CanarySpec withCanaryAutoscaler(CanarySpec spec, HorizontalPodAutoscalerSpec released) {
    return CanarySpec.copyOf(spec).withScaling(ScalingOptions.builder().canaryAutoscaler(HpaSettings.of(released)).build());
  }

  /** Runs {@code change} and waits until the decorator's cache shows it as {@code seen} says. */
  void awaitSeen(HpaAwareWorkloads workloads, Revisions revisions,
      java.util.function.Predicate<io.canary.core.spi.WorkloadState> seen, Runnable change) throws Exception {
    CountDownLatch latch = new CountDownLatch(1);
    try (AutoCloseable watch = workloads.watch(rolloutsDemo(), revisions, () -> {
      if (seen.test(workloads.observe(rolloutsDemo(), revisions))) {
        latch.countDown();
      }
    })) {
      change.run();
      assertThat(latch.await(5, TimeUnit.SECONDS)).as("the change reached the watch cache").isTrue();
    }
  }

  /** Seed rollouts-demo-subsets in the cluster, and the decorator over the recording Deployments. */
  HpaAwareWorkloads demoWorkloads() {
    cluster.load("rollouts-demo-subsets");
    return wrap(deployments);
  }

  void assertUsersBoundsBackAndCanaryAutoscalerGone(HorizontalPodAutoscaler usersStable) {
    assertThat(hpa(DEMO_NS, STABLE_HPA).get().getSpec()).isEqualTo(usersStable.getSpec());
    assertThat(hpa(DEMO_NS, STABLE_HPA).get().getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(hpa(DEMO_NS, CANARY_HPA).get()).isNull();
  }

  static CanarySpec rolloutsDemo() {
    return CanarySpec.builder()
        .name("rollouts-demo").namespace(DEMO_NS)
        .target(WorkloadRef.deployment(STABLE))
        .revision(NewRevision.image("rollouts-demo", "argoproj/rollouts-demo:red"))
        .traffic(InMemoryStrategy.of("route-one"))
        .addSteps(Step.setWeight(20), Step.pause(), Step.setWeight(40))
        .build();
  }

  static CanarySpec helloworld() {
    return CanarySpec.builder()
        .name("helloworld").namespace("default")
        .target(WorkloadRef.deployment("helloworld-v1"))
        .revision(NewRevision.existingWorkload("helloworld-v2"))
        .traffic(InMemoryStrategy.of("helloworld"))
        .addSteps(Step.setWeight(10), Step.setWeight(50))
        .build();
  }

  io.fabric8.kubernetes.client.dsl.Resource<HorizontalPodAutoscaler> hpa(String namespace, String name) {
    return client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace).withName(name);
  }

  List<Integer> bounds(String namespace, String name) {
    HorizontalPodAutoscalerSpec spec = hpa(namespace, name).get().getSpec();
    return List.of(spec.getMinReplicas(), spec.getMaxReplicas());
  }

  Deployment deployment(String namespace, String name) {
    return client.apps().deployments().inNamespace(namespace).withName(name).get();
  }

  static int indexOf(List<ApiRequest> requests, java.util.function.Predicate<ApiRequest> matching) {
    for (int i = 0; i < requests.size(); i++) {
      if (matching.test(requests.get(i))) {
        return i;
      }
    }
    return -1;
  }
}
