package io.canary.examples.scenarios;

import static io.canary.examples.scenarios.InCluster.bounds;
import static io.canary.examples.scenarios.InCluster.deployment;
import static io.canary.examples.scenarios.InCluster.hpa;
import static io.canary.testing.CanaryAssertions.assertThatVirtualService;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.canary.core.CanarySpec;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutStatus;
import io.canary.core.Step;
import io.canary.examples.ScenarioPlans;
import io.canary.istio.IstioTrafficRouter;
import io.canary.testing.CanaryAssertions;
import io.canary.testing.CanarySimulation;
import io.canary.testing.ObservedRequest;
import io.canary.testing.SimulatedCluster;
import io.canary.testing.Timeline;
import io.canary.testing.UserGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Seed helloworld-versions: two Deployments the user manages, one autoscaler each; the rollout moves
 * traffic only, and each version's autoscaler sizes it by the load its share brings (issue 5's story).
 */
@CanarySimulation
class HelloworldVersionsTest {
  private static final String NS = "default";
  private static final String V1 = "helloworld-v1";
  private static final String V2 = "helloworld-v2";

  /**
   * The seed as given, with a cpu request on each version's pods: the autoscalers' Utilization target
   * is a share of that request, and without one (as in Kubernetes) they cannot scale at all.
   */
  @BeforeEach
  void loadSeedWithCpuRequests(SimulatedCluster sim) throws IOException {
    String seed = Files.readString(Path.of("..", "scenarios", "helloworld-versions", "cluster.yaml"));
    String withRequests = seed;
    for (String image : List.of(V1, V2)) {
      String line = "        image: " + image + "\n";
      assertThat(seed).contains(line);
      withRequests = withRequests.replace(line,
          line + "        resources:\n          requests:\n            cpu: 100m\n");
    }
    sim.load(withRequests);
    InCluster.untilAvailable(sim, NS, V1);
    InCluster.untilAvailable(sim, NS, V2);
  }

  @Test
  void companyUsersTryV2FirstThenEveryoneMovesOverWithoutAnyUserObjectDeletedOrReplicasWritten(SimulatedCluster sim) {
    sim.traffic().flow("company").to(NS, "helloworld").rate(20)
        .users(UserGroup.withCookie("company", 1.0, "email", "jane@some-company-name.com"));
    sim.traffic().flow("others").to(NS, "helloworld").rate(80)
        .users(UserGroup.withCookie("others", 1.0, "email", "joe@example.com"));
    CanarySpec spec = ScenarioPlans.helloworld();

    try (RunnerOnSimulation canary = runner(sim)) {
      RolloutHandle rollout = canary.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      assertThatVirtualService(sim, NS, "helloworld").hasHttpRouteNames("company-users", null)
          .hasRouteWeights("company-users", 50, 50).hasRouteWeights(null, 100, 0);
      Instant focusedFrom = sim.scheduler().now();
      sim.advance(Duration.ofMinutes(2));
      Instant focusedTo = sim.scheduler().now();
      long company = sim.traffic().flowStats("company", focusedFrom, focusedTo).requests();
      long others = sim.traffic().flowStats("others", focusedFrom, focusedTo).requests();
      long toV2 = sim.traffic().sampleByImage(V2, focusedFrom, focusedTo).requests();
      long toV1 = sim.traffic().sampleByImage(V1, focusedFrom, focusedTo).requests();
      assertThat(company).isPositive();
      // v2 gets half the company users' requests and nothing else: any other user on v2 would show here.
      assertThat((double) toV2).as("requests v2 served").isCloseTo(company / 2.0, within(company * 0.05));
      assertThat((double) toV1).as("requests v1 served").isCloseTo(others + company / 2.0, within(company * 0.05));
      rollout.promote();

      rollout.await(s -> s.phase() == Phase.PAUSED && s.currentWeight() == 10, Duration.ofMinutes(10));
      assertThatVirtualService(sim, NS, "helloworld").hasHttpRouteNames("company-users", null)
          .hasRouteWeights("company-users", 50, 50).hasRouteWeights(null, 90, 10);
      rollout.promote();
      rollout.await(s -> s.phase() == Phase.PAUSED && s.currentWeight() == 50, Duration.ofMinutes(10));
      assertThatVirtualService(sim, NS, "helloworld").hasRouteWeights(null, 50, 50);
      rollout.promote();
      RolloutStatus done = rollout.await(Duration.ofMinutes(30));

      CanaryAssertions.assertThat(done).hasPhase(Phase.SUCCEEDED);
      assertThat(done.stableRevision().orElseThrow().workload()).isEqualTo(V2);
      assertThatVirtualService(sim, NS, "helloworld").hasHttpRouteNames((String) null).hasRouteWeights(null, 0, 100);
      Instant after = sim.scheduler().now();
      sim.advance(Duration.ofMinutes(1));
      assertThat(sim.traffic().sampleByImage(V1, after, sim.scheduler().now()).requests()).isZero();

      for (String version : List.of(V1, V2)) {
        assertThat(deployment(sim, NS, version)).as("the user's Deployment %s", version).isNotNull();
        assertThat(bounds(hpa(sim, NS, version))).as("the user's HPA %s", version).isEqualTo("1..10");
        assertThat(InCluster.writesTo(sim, "deployments", version)).as("writes to Deployment %s", version)
            .noneMatch(w -> w.body().contains("replicas"));
      }
      assertThat(sim.client().services().inNamespace(NS).withName("helloworld").get()).isNotNull();
      assertThat(sim.destinationRule(NS, "helloworld")).isPresent();
      assertThat(sim.writesUnderTest()).filteredOn(w -> w.method().equals("DELETE"))
          .extracting(ObservedRequest::path)
          .noneMatch(p -> p.contains("/deployments/") || p.contains("/horizontalpodautoscalers/")
              || p.contains("/services/") || p.contains("/virtualservices/") || p.contains("/destinationrules/"));
    }
  }

  @Test
  void eachVersionsAutoscalerFollowsItsShareOfTheLoadAndBothReturnToTheirMinimumWithoutLoad(SimulatedCluster sim) {
    sim.traffic().flow("users").to(NS, "helloworld").rate(400);
    CanarySpec spec = tenThenFiftyPercent();
    try (RunnerOnSimulation canary = runner(sim)) {
      RolloutHandle rollout = canary.start(spec);
      Timeline timeline = sim.timeline();

      rollout.await(s -> s.phase() == Phase.PAUSED && s.currentWeight() == 10, Duration.ofMinutes(10));
      sim.advance(Duration.ofMinutes(10));
      int v1At90 = replicasNow(timeline, V1);
      int v2At90 = replicasNow(timeline, V2);
      assertThat(v1At90).as("v1 replicas at 90/10 under load").isGreaterThanOrEqualTo(6)
          .isGreaterThanOrEqualTo(3 * v2At90);
      assertThat(v2At90).as("v2 replicas at 90/10 under load").isLessThanOrEqualTo(2);

      rollout.promote();
      rollout.await(s -> s.phase() == Phase.PAUSED && s.currentWeight() == 50, Duration.ofMinutes(10));
      Instant halfFrom = sim.scheduler().now();
      sim.advance(Duration.ofMinutes(10));
      int v1At50 = replicasNow(timeline, V1);
      int v2At50 = replicasNow(timeline, V2);
      assertThat(v1At50).as("v1 scales down at 50/50").isLessThan(v1At90);
      assertThat(v2At50).as("v2 scales up at 50/50").isGreaterThan(v2At90);
      assertThat(Math.abs(v1At50 - v2At50)).as("equal shares, equal sizes: v1 %s, v2 %s", v1At50, v2At50)
          .isLessThanOrEqualTo(1);
      assertThat(replicasSince(timeline, V1, halfFrom)).as("v1 over the 50/50 phase").isSortedAccordingTo(
          (a, b) -> Integer.compare(b, a));

      sim.traffic().flow("users").rate(0);
      sim.advance(Duration.ofMinutes(10));
      assertThat(replicasNow(timeline, V1)).as("v1 without load at 50/50").isEqualTo(1);
      assertThat(replicasNow(timeline, V2)).as("v2 without load at 50/50").isEqualTo(1);

      rollout.promote();
      CanaryAssertions.assertThat(rollout.await(Duration.ofMinutes(30))).hasPhase(Phase.SUCCEEDED);
      sim.advance(Duration.ofMinutes(10));
      assertThat(replicasNow(timeline, V1)).as("v1 without load at 0/100").isEqualTo(1);
      assertThat(replicasNow(timeline, V2)).as("v2 without load at 0/100").isEqualTo(1);
      assertThat(sim.hpaDesiredReplicas()).containsEntry(NS + "/" + V1, 1).containsEntry(NS + "/" + V2, 1);
    }
  }

  @Test
  void promotingFullyDuringTheFocusedCanaryDropsTheCompanyRouteAndSendsEveryoneToV2(SimulatedCluster sim) {
    List<String> seedHosts = sim.virtualService(NS, "helloworld").orElseThrow().getSpec().getHosts();
    CanarySpec spec = ScenarioPlans.helloworld();
    try (RunnerOnSimulation canary = runner(sim)) {
      RolloutHandle rollout = canary.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      rollout.promoteFully();
      CanaryAssertions.assertThat(rollout.await(Duration.ofMinutes(30))).hasPhase(Phase.SUCCEEDED);

      assertThatVirtualService(sim, NS, "helloworld").hasHttpRouteNames((String) null).hasRouteWeights(null, 0, 100);
      assertThat(sim.virtualService(NS, "helloworld").orElseThrow().getSpec().getHosts()).isEqualTo(seedHosts);
    }
  }

  @Test
  void abortSendsEveryoneBackToV1AndLeavesBothOfTheUsersDeploymentsAndAutoscalersAsTheyWere(SimulatedCluster sim) {
    sim.traffic().flow("users").to(NS, "helloworld").rate(100);
    CanarySpec spec = tenThenFiftyPercent();
    try (RunnerOnSimulation canary = runner(sim)) {
      RolloutHandle rollout = canary.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED && s.currentWeight() == 10, Duration.ofMinutes(10));
      rollout.promote();
      rollout.await(s -> s.phase() == Phase.PAUSED && s.currentWeight() == 50, Duration.ofMinutes(10));
      rollout.abort();
      rollout.await(s -> s.abortReason().isPresent(), Duration.ofMinutes(1));
      Instant abortedAt = sim.scheduler().now();
      RolloutStatus aborted = rollout.await(Duration.ofMinutes(10));
      sim.advance(Duration.ofMinutes(1));

      CanaryAssertions.assertThat(aborted).hasPhase(Phase.ABORTED);
      assertThat(aborted.stableRevision().orElseThrow().workload()).isEqualTo(V1);
      assertThatVirtualService(sim, NS, "helloworld").hasRouteWeights(null, 100, 0);
      assertThat(sim.traffic().sampleByImage(V2, abortedAt, sim.scheduler().now()).requests()).isZero();
      for (String version : List.of(V1, V2)) {
        assertThat(deployment(sim, NS, version)).as("the user's Deployment %s after abort", version).isNotNull();
        assertThat(hpa(sim, NS, version)).as("the user's HPA %s after abort", version).isNotNull();
        assertThat(bounds(hpa(sim, NS, version))).as("the user's HPA %s bounds", version).isEqualTo("1..10");
        assertThat(hpa(sim, NS, version).getMetadata().getAnnotations()).as("HPA %s annotations", version)
            .doesNotContainKey("canary.io/original-bounds");
      }
    }
  }

  /** The seed's route has only v1: the router adds the v2 destination, at weight 0, in its first write. */
  private static RunnerOnSimulation runner(SimulatedCluster sim) {
    return RunnerOnSimulation.on(sim, sim.client(), NS,
        client -> IstioTrafficRouter.builder(client).addMissingCanaryDestinations(true).build());
  }

  /** The helloworld-versions plan without the focused canary: 90/10, 50/50, each until promoted. */
  private static CanarySpec tenThenFiftyPercent() {
    return CanarySpec.copyOf(ScenarioPlans.helloworld())
        .withSteps(Step.setWeight(10), Step.pause(), Step.setWeight(50), Step.pause());
  }

  /** The replicas of the revision whose name starts with {@code workload} in the latest timeline sample. */
  private static int replicasNow(Timeline timeline, String workload) {
    List<Timeline.Sample> samples = timeline.samples();
    return samples.get(samples.size() - 1).revisions().stream()
        .filter(r -> r.revision().startsWith(workload + ":")).mapToInt(Timeline.RevisionPoint::replicas).sum();
  }

  /** The replicas of {@code workload}, one per timeline sample from {@code from} on. */
  private static List<Integer> replicasSince(Timeline timeline, String workload, Instant from) {
    return timeline.samples().stream().filter(s -> !s.at().isBefore(from))
        .map(s -> s.revisions().stream().filter(r -> r.revision().startsWith(workload + ":"))
            .mapToInt(Timeline.RevisionPoint::replicas).sum())
        .toList();
  }
}
