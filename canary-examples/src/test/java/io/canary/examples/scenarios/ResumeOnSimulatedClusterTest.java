package io.canary.examples.scenarios;

import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_NS;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_VS;
import static io.canary.examples.scenarios.RolloutsDemoObjects.RED;
import static io.canary.testing.CanaryAssertions.assertThatVirtualService;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanarySpec;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutStatus;
import io.canary.examples.ScenarioPlans;
import io.canary.istio.IstioTrafficRouter;
import io.canary.testing.CanaryAssertions;
import io.canary.testing.CanarySimulation;
import io.canary.testing.SimulatedCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A runner that stops (mid-pause, while the stable rolls out, during the abort delay) leaves everything
 * in the cluster as it is; another one, with its own adapters and client, started later, finishes the job
 * from the status in the cluster.
 */
@CanarySimulation(scenario = "rollouts-demo-subsets", podStartupSeconds = 10)
class ResumeOnSimulatedClusterTest {

  @Test
  void aSecondRunnerResumesFromTheStateInTheClusterAndFinishesWithTheSameFinalState(SimulatedCluster sim) {
    RolloutsDemoSeed seed = RolloutsDemoSeed.runningWithBrowsers(sim);
    CanarySpec spec = ScenarioPlans.rolloutsDemo(RED);
    Instant start = sim.scheduler().now();

    RolloutStatus whenStopped;
    try (RunnerOnSimulation first = RunnerOnSimulation.on(sim, DEMO_NS)) {
      RolloutHandle rollout = first.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED && s.currentWeight() == 20, Duration.ofMinutes(10));
      rollout.promote();
      whenStopped = rollout.await(s -> s.phase() == Phase.PAUSED && s.currentWeight() == 40, Duration.ofMinutes(10));
    }
    // Nobody drives the rollout: its 10 s pause runs out, and nothing moves.
    sim.advance(Duration.ofMinutes(2));
    assertThatVirtualService(sim, DEMO_NS, DEMO_VS).hasRouteWeights("route-one", 60, 40);
    long canaryCreations = canaryCreations(sim);
    assertThat(canaryCreations).as("canary Deployments created by the first runner").isEqualTo(1);

    try (RunnerOnSimulation second = RunnerOnSimulation.on(sim, sim.newClient(), DEMO_NS, IstioTrafficRouter::create)) {
      RolloutHandle resumed = second.start(spec);
      RolloutStatus atResume = resumed.status();
      assertThat(atResume.phase()).isEqualTo(Phase.PAUSED);
      assertThat(atResume.stepIndex()).isEqualTo(whenStopped.stepIndex());
      assertThat(atResume.currentWeight()).isEqualTo(40);
      assertThat(atResume.canaryRevision()).isEqualTo(whenStopped.canaryRevision());
      assertThat(atResume.stableRevision()).isEqualTo(whenStopped.stableRevision());

      RolloutStatus done = resumed.await(Duration.ofHours(1));

      CanaryAssertions.assertThat(done).hasPhase(Phase.SUCCEEDED);
      CanaryAssertions.assertThat(second.history).passedThroughWeights(60, 80, 0);
      seed.assertEndedWithStableOn(sim, RED);
      assertThat(canaryCreations(sim)).as("the second runner found the canary, made none").isEqualTo(canaryCreations);
      assertThat(sim.traffic().flowStats(RolloutsDemoSeed.BROWSERS, start, sim.scheduler().now()).unavailable())
          .as("503s while nobody drove the rollout and after").isZero();
    }
  }

  @Test
  void aRunnerStoppedWhileTheStableRollsOutToRedIsFollowedByOneThatCompletesThePromotion(SimulatedCluster sim) {
    RolloutsDemoSeed seed = RolloutsDemoSeed.runningWithBrowsers(sim);
    Instant start = sim.scheduler().now();
    stopWhenIn(sim, RolloutHandle::promoteFully, Phase.PROMOTING);

    CanaryAssertions.assertThat(resumeToTheEnd(sim)).hasPhase(Phase.SUCCEEDED);
    seed.assertEndedWithStableOn(sim, RED);
    assertThat(sim.traffic().flowStats(RolloutsDemoSeed.BROWSERS, start, sim.scheduler().now()).unavailable())
        .as("503s across the hand-over").isZero();
  }

  @Test
  void aRunnerStoppedDuringTheAbortDelayIsFollowedByOneThatRemovesTheCanary(SimulatedCluster sim) {
    RolloutsDemoSeed seed = RolloutsDemoSeed.runningWithBrowsers(sim);
    stopWhenIn(sim, RolloutHandle::abort, Phase.ABORTING);
    assertThat(InCluster.deployment(sim, DEMO_NS, RolloutsDemoObjects.DEMO_CANARY))
        .as("the canary, left by the stopped runner").isNotNull();

    CanaryAssertions.assertThat(resumeToTheEnd(sim)).hasPhase(Phase.ABORTED);
    seed.assertEndedWithStableOn(sim, RolloutsDemoObjects.BLUE);
  }

  /**
   * Runs the demo's plan to its first pause, applies {@code control}, stops the runner once the
   * rollout is in {@code phase}, and lets two minutes pass with no runner.
   */
  private static void stopWhenIn(SimulatedCluster sim,
      Function<RolloutHandle, CompletableFuture<RolloutStatus>> control, Phase phase) {
    try (RunnerOnSimulation first = RunnerOnSimulation.on(sim, DEMO_NS)) {
      RolloutHandle rollout = first.start(ScenarioPlans.rolloutsDemo(RED));
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));
      control.apply(rollout);
      rollout.await(s -> s.phase() == phase, Duration.ofMinutes(10));
    }
    sim.advance(Duration.ofMinutes(2));
  }

  /** Another runner, with its own client and adapters, takes the rollout up from the cluster and runs it to its end. */
  private static RolloutStatus resumeToTheEnd(SimulatedCluster sim) {
    try (RunnerOnSimulation second = RunnerOnSimulation.on(sim, sim.newClient(), DEMO_NS, IstioTrafficRouter::create)) {
      return second.start(ScenarioPlans.rolloutsDemo(RED)).await(Duration.ofHours(1));
    }
  }

  private static long canaryCreations(SimulatedCluster sim) {
    return sim.writesUnderTest().stream()
        .filter(w -> w.method().equals("POST") && w.path().contains("/namespaces/" + DEMO_NS + "/deployments"))
        .count();
  }
}
