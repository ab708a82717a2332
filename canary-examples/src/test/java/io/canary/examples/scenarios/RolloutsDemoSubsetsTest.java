package io.canary.examples.scenarios;

import static io.canary.examples.scenarios.InCluster.deployment;
import static io.canary.examples.scenarios.InCluster.hpa;
import static io.canary.examples.scenarios.InCluster.image;
import static io.canary.examples.scenarios.RolloutsDemoObjects.BLUE;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_CANARY;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_CANARY_HPA;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_DEPLOYMENT;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_NS;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_VS;
import static io.canary.examples.scenarios.RolloutsDemoObjects.RED;
import static io.canary.testing.CanaryAssertions.assertThatVirtualService;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.Phase;
import io.canary.core.event.DriftDetected;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutStatus;
import io.canary.examples.ScenarioPlans;
import io.canary.testing.CanaryAssertions;
import io.canary.testing.CanarySimulation;
import io.canary.testing.FlowStats;
import io.canary.testing.SimulatedCluster;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Seed rollouts-demo-subsets end to end: blue to red through the plan's steps, with browser load
 * through the gateway that makes the autoscalers size each revision.
 */
@CanarySimulation(scenario = "rollouts-demo-subsets", podStartupSeconds = 10)
class RolloutsDemoSubsetsTest {

  @Test
  void promotesRedThroughEveryWeightWhileEachRevisionHasItsOwnAutoscalerAndNoRequestFails(SimulatedCluster sim) {
    RolloutsDemoSeed seed = RolloutsDemoSeed.runningWithBrowsers(sim);
    VirtualService seedVs = seed.seedVs;
    Instant start = sim.scheduler().now();

    try (RunnerOnSimulation canary = RunnerOnSimulation.on(sim, DEMO_NS)) {
      RolloutHandle rollout = canary.start(ScenarioPlans.rolloutsDemo(RED));

      pausedAtWeight(rollout, 20);
      assertThatVirtualService(sim, DEMO_NS, DEMO_VS).hasRouteWeights("route-one", 80, 20)
          .hasSameUnownedFieldsAs(seedVs);
      HorizontalPodAutoscaler canaryHpa = hpa(sim, DEMO_NS, DEMO_CANARY_HPA);
      assertThat(canaryHpa).as("the canary's own autoscaler during the rollout").isNotNull();
      assertThat(canaryHpa.getSpec().getScaleTargetRef().getName()).isEqualTo(DEMO_CANARY);
      assertThat(image(deployment(sim, DEMO_NS, DEMO_CANARY))).isEqualTo(RED);
      rollout.promote();

      pausedAtWeight(rollout, 40);
      assertThatVirtualService(sim, DEMO_NS, DEMO_VS).hasRouteWeights("route-one", 60, 40)
          .hasSameUnownedFieldsAs(seedVs);
      pausedAtWeight(rollout, 60);
      assertThatVirtualService(sim, DEMO_NS, DEMO_VS).hasRouteWeights("route-one", 40, 60)
          .hasSameUnownedFieldsAs(seedVs);
      pausedAtWeight(rollout, 80);
      assertThatVirtualService(sim, DEMO_NS, DEMO_VS).hasRouteWeights("route-one", 20, 80)
          .hasSameUnownedFieldsAs(seedVs);
      assertThat(hpa(sim, DEMO_NS, DEMO_CANARY_HPA)).as("the canary's autoscaler at 80%").isNotNull();

      RolloutStatus done = rollout.await(Duration.ofHours(1));
      Instant end = sim.scheduler().now();

      CanaryAssertions.assertThat(done).hasPhase(Phase.SUCCEEDED).hasNoAbortReason();
      CanaryAssertions.assertThat(canary.history).passedThroughWeights(20, 40, 60, 80, 0)
          .passedThroughPhases(Phase.PROGRESSING, Phase.PAUSED, Phase.PROMOTING, Phase.SUCCEEDED);
      seed.assertEndedWithStableOn(sim, RED);

      // Pods per revision: the canary starts at its autoscaler's minimum (2), not the Deployment's 5;
      // the load makes the autoscalers grow each revision; blue is gone at the end.
      CanaryAssertions.assertThat(sim.timeline()).replicasOf(DEMO_CANARY).first().isEqualTo(2);
      assertThat(InCluster.writesTo(sim, "deployments", DEMO_CANARY))
          .as("the canary's replicas, written once before its autoscaler exists, then left to it")
          .filteredOn(w -> w.body().contains("/spec/replicas")).singleElement()
          .satisfies(w -> assertThat(w.body()).contains("\"path\":\"/spec/replicas\",\"value\":2}"));
      CanaryAssertions.assertThat(sim.timeline()).replicasOf(DEMO_CANARY).contains(6).allMatch(n -> n <= 6);
      CanaryAssertions.assertThat(sim.timeline()).replicasOf(DEMO_DEPLOYMENT + ":blue").startsWith(5).contains(6)
          .endsWith(0);
      CanaryAssertions.assertThat(sim.timeline()).replicasOf(DEMO_DEPLOYMENT + ":red").endsWith(6);
      // Only the autoscaler sizes the stable Deployment: the runner's writes to it never carry replicas.
      assertThat(InCluster.writesTo(sim, "deployments", DEMO_DEPLOYMENT)).isNotEmpty()
          .allSatisfy(w -> assertThat(w.body()).doesNotContain("/spec/replicas").doesNotContain("\"replicas\""));

      FlowStats seen = sim.traffic().flowStats(RolloutsDemoSeed.BROWSERS, start, end);
      assertThat(seen.requests()).isGreaterThan(1000);
      assertThat(seen.unavailable()).as("503s, promotion included").isZero();
      assertThat(seen.errors()).isZero();
      assertThat(sim.traffic().sampleByImage(BLUE, start, end).requests()).isPositive();

      assertThat(InCluster.eventReasons(sim, DEMO_NS, "Deployment", DEMO_DEPLOYMENT))
          .contains("RolloutStarted", "WeightChanged", "RolloutPromoted");
      assertThat(canary.history.events()).as("no drift for the rollout's own writes").noneMatch(e -> e instanceof DriftDetected);
    }
  }

  @Test
  void theUsersAutoscalerIsNotWrittenWhenTheRolloutNeverChangesItsBounds(SimulatedCluster sim) {
    RolloutsDemoSeed seed = RolloutsDemoSeed.runningWithBrowsers(sim);
    try (RunnerOnSimulation canary = RunnerOnSimulation.on(sim, DEMO_NS)) {
      RolloutHandle rollout = canary.start(ScenarioPlans.rolloutsDemo(RED));
      pausedAtWeight(rollout, 20);
      rollout.promoteFully();
      CanaryAssertions.assertThat(rollout.await(Duration.ofHours(1))).hasPhase(Phase.SUCCEEDED);

      seed.assertEndedWithStableOn(sim, RED);
      assertThat(InCluster.writesTo(sim, "horizontalpodautoscalers", RolloutsDemoObjects.DEMO_HPA))
          .as("writes to the user's HPA, whose bounds no step changed").isEmpty();
    }
  }

  private static RolloutStatus pausedAtWeight(RolloutHandle rollout, int weight) {
    return rollout.await(s -> s.phase() == Phase.PAUSED && s.currentWeight() == weight, Duration.ofMinutes(10));
  }
}
