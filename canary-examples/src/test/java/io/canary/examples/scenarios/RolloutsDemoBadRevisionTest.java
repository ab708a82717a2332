package io.canary.examples.scenarios;

import static io.canary.examples.scenarios.InCluster.deployment;
import static io.canary.examples.scenarios.InCluster.hpa;
import static io.canary.examples.scenarios.RolloutsDemoObjects.BLUE;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_CANARY;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_CANARY_HPA;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_DEPLOYMENT;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_NS;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_VS;
import static io.canary.examples.scenarios.RolloutsDemoObjects.RED;
import static io.canary.testing.CanaryAssertions.assertThatVirtualService;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.AnalysisSpec;
import io.canary.core.CanarySpec;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutStatus;
import io.canary.core.analysis.AnalysisGates;
import io.canary.examples.ScenarioPlans;
import io.canary.testing.Behaviour;
import io.canary.testing.CanaryAssertions;
import io.canary.testing.CanarySimulation;
import io.canary.testing.PodMatcher;
import io.canary.testing.SimulatedCluster;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The demo's second part: a red that fails one request in five is caught by analysis and rolled back. */
@CanarySimulation(scenario = "rollouts-demo-subsets", podStartupSeconds = 10)
class RolloutsDemoBadRevisionTest {

  @Test
  void failingSuccessRateAbortsSendsAllTrafficBackToBlueAndRemovesTheCanaryAndItsAutoscalerAfterTheDelay(
      SimulatedCluster sim) {
    sim.traffic().behaviour(PodMatcher.image(RED), Behaviour.builder().errorRate(0.2).build());
    RolloutsDemoSeed seed = RolloutsDemoSeed.runningWithBrowsers(sim);
    CanarySpec spec = withSuccessRateAnalysis(sim);

    try (RunnerOnSimulation canary = RunnerOnSimulation.on(sim, DEMO_NS)) {
      RolloutHandle rollout = canary.start(spec);
      RolloutStatus aborting = rollout.await(s -> s.abortReason().isPresent(), Duration.ofMinutes(10));
      Instant abortedAt = sim.scheduler().now();

      CanaryAssertions.assertThat(aborting).hasAbortReasonContaining("success-rate");
      assertThat(aborting.currentWeight()).isZero();
      assertThatVirtualService(sim, DEMO_NS, DEMO_VS).hasRouteWeights("route-one", 100, 0)
          .hasSameUnownedFieldsAs(seed.seedVs);
      assertThat(deployment(sim, DEMO_NS, DEMO_CANARY)).as("canary pods stay for the abort delay").isNotNull();
      assertThat(hpa(sim, DEMO_NS, DEMO_CANARY_HPA)).as("canary HPA during the abort delay")
          .isNotNull();

      RolloutStatus aborted = rollout.await(Duration.ofMinutes(5));
      Instant end = sim.scheduler().now();

      CanaryAssertions.assertThat(aborted).hasPhase(Phase.ABORTED).hasAbortReasonContaining("success-rate");
      assertThat(Duration.between(abortedAt, end)).isGreaterThanOrEqualTo(spec.abortScaleDownDelay());
      seed.assertEndedWithStableOn(sim, BLUE);

      assertThat(sim.traffic().sampleByImage(RED, Instant.EPOCH, abortedAt).errors())
          .as("the analysis saw red fail").isPositive();
      assertThat(sim.traffic().sampleByImage(RED, abortedAt, end).requests()).as("requests to red after the abort")
          .isZero();
      assertThat(sim.traffic().flowStats(RolloutsDemoSeed.BROWSERS, abortedAt, end).unavailable()).isZero();
      CanaryAssertions.assertThat(sim.timeline()).hasMarkerContaining("analysis success-rate FAIL");
      assertThat(InCluster.eventReasons(sim, DEMO_NS, "Deployment", DEMO_DEPLOYMENT)).contains("RolloutAborted");
    }
  }

  @Test
  void retryAfterTheFixStartsOverWithANewCanaryAndPromotesRed(SimulatedCluster sim) {
    sim.traffic().behaviour(PodMatcher.image(RED), Behaviour.builder().errorRate(0.2).build());
    RolloutsDemoSeed seed = RolloutsDemoSeed.runningWithBrowsers(sim);
    try (RunnerOnSimulation canary = RunnerOnSimulation.on(sim, DEMO_NS)) {
      RolloutHandle rollout = canary.start(withSuccessRateAnalysis(sim));
      CanaryAssertions.assertThat(rollout.await(Duration.ofMinutes(10))).hasPhase(Phase.ABORTED);
      assertThat(deployment(sim, DEMO_NS, DEMO_CANARY)).isNull();

      sim.traffic().behaviour(PodMatcher.image(RED), Behaviour.healthy());
      rollout.retry();
      RolloutStatus paused = rollout.await(s -> s.phase() == Phase.PAUSED && s.currentWeight() == 20,
          Duration.ofMinutes(10));
      assertThat(paused.abortReason()).isEmpty();
      assertThat(deployment(sim, DEMO_NS, DEMO_CANARY)).as("canary made again by retry").isNotNull();
      assertThat(hpa(sim, DEMO_NS, DEMO_CANARY_HPA)).as("canary HPA made again").isNotNull();
      rollout.promote();
      RolloutStatus done = rollout.await(Duration.ofHours(1));

      CanaryAssertions.assertThat(done).hasPhase(Phase.SUCCEEDED).hasNoAbortReason();
      seed.assertEndedWithStableOn(sim, RED);
    }
  }

  /** The demo's plan with a background check that at least 95% of the canary's requests succeed. */
  private static CanarySpec withSuccessRateAnalysis(SimulatedCluster sim) {
    return CanarySpec.copyOf(ScenarioPlans.rolloutsDemo(RED))
        .withAnalysis(AnalysisSpec.builder().name("success-rate")
            .gate(AnalysisGates.successRate(sim.traffic().metricSource(), 0.95, 50))
            .interval(Duration.ofSeconds(30)).build());
  }
}
