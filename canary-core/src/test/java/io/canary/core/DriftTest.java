package io.canary.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.event.DriftDetected;
import io.canary.core.event.RolloutEvent;
import io.canary.core.memory.InMemoryTrafficRouter;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingState;
import io.canary.core.spi.TrafficRouter;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Drift is watched while the steps run: owned weights changed by someone else are reported at once and
 * put back (or the rollout pauses), and a canary workload lost outside the rollout aborts it.
 */
class DriftTest {
  private static final CanarySpec SPEC = Scenarios.rolloutsDemo();

  @Test
  void weightsChangedByHandWhilePausedAreReportedAtOnceAndPutBack() {
    try (Fixture f = new Fixture()) {
      RolloutHandle rollout = f.runner.start(SPEC);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      int writes = f.router.weights(SPEC.key()).size();

      f.router.changeOutOfBand(SPEC.key(), 70);
      f.clock.runDue();

      assertThat(drifts(f)).singleElement().satisfies(d -> {
        assertThat(d.expectedCanaryWeight()).isEqualTo(20);
        assertThat(d.found()).extracting(RouteWeight::canaryWeight).containsExactly(70);
        assertThat(d.message()).contains(InMemoryTrafficRouter.OBJECT_KIND + " istio-argo-rollouts/rollouts-demo route-one"
            + " has stable 30 / canary 70").contains("owns stable 80 / canary 20").contains("put back");
        assertThat(d.warning()).isTrue();
      });
      assertThat(f.router.currentWeights(SPEC)).extracting(RouteWeight::canaryWeight).containsExactly(20);
      assertThat(f.router.weights(SPEC.key()).subList(writes, f.router.weights(SPEC.key()).size()))
          .as("one write puts the weight back").containsExactly(20);
      assertThat(rollout.status().phase()).isEqualTo(Phase.PAUSED);
      assertThat(rollout.status().pauseReason()).contains(PauseReason.CanaryPauseStep);

      rollout.promote();
      assertThat(rollout.await(Duration.ofHours(1)).phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(drifts(f)).hasSize(1);
    }
  }

  @Test
  void withThePausePolicyTheRolloutPausesWithTheWeightsAsFoundAndResumePutsThemBack() {
    CanarySpec spec = CanarySpec.copyOf(SPEC).withDriftPolicy(DriftPolicy.PAUSE);
    try (Fixture f = new Fixture()) {
      RolloutHandle rollout = f.runner.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));

      f.router.changeOutOfBand(spec.key(), 70);
      f.clock.runDue();

      assertThat(drifts(f)).singleElement().satisfies(d -> assertThat(d.policy()).isEqualTo(DriftPolicy.PAUSE));
      assertThat(drifts(f).get(0).message()).contains("the rollout pauses with the weights as found");
      RolloutStatus paused = rollout.status();
      assertThat(paused.phase()).isEqualTo(Phase.PAUSED);
      assertThat(paused.pauseReason()).contains(PauseReason.RoutingDrift);
      assertThat(paused.message().orElse("")).contains("resume() puts the rollout's weights back");
      f.advance(Duration.ofHours(1));
      assertThat(f.router.currentWeights(spec)).as("left as found").extracting(RouteWeight::canaryWeight).containsExactly(70);
      assertThat(rollout.status().pauseReason()).contains(PauseReason.RoutingDrift);

      rollout.resume();
      f.clock.runDue();
      assertThat(f.router.currentWeights(spec)).extracting(RouteWeight::canaryWeight).containsExactly(20);
      assertThat(rollout.status().pauseReason()).as("back at its pause step").contains(PauseReason.CanaryPauseStep);
      assertThat(drifts(f)).as("no second report").hasSize(1);

      rollout.promote();
      assertThat(rollout.await(Duration.ofHours(1)).phase()).isEqualTo(Phase.SUCCEEDED);
    }
  }

  @Test
  void theRunnersDriftPolicyAppliesToASpecThatNamesNone() {
    try (Fixture f = new Fixture()) {
      CanaryRunner pausing = CanaryRunner.builder().trafficRouter(f.router).workloads(f.workloads).scheduler(f.clock)
          .driftPolicy(DriftPolicy.PAUSE).addListener(f.events::add).build();
      RolloutHandle rollout = pausing.start(SPEC);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      f.router.changeOutOfBand(SPEC.key(), 5);
      f.clock.runDue();
      assertThat(rollout.status().pauseReason()).contains(PauseReason.RoutingDrift);
      assertThat(f.router.currentWeights(SPEC)).extracting(RouteWeight::canaryWeight).containsExactly(5);
      pausing.close();
    }
  }

  @Test
  void theRolloutsOwnWritesAreNeverDriftThroughAWholeRollout() {
    try (Fixture f = new Fixture()) {
      RolloutHandle rollout = f.runner.start(SPEC);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      rollout.promote();
      assertThat(rollout.await(Duration.ofHours(1)).phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(f.router.weights(SPEC.key())).containsSubsequence(0, 20, 40, 60, 80, 0);
      assertThat(drifts(f)).isEmpty();
    }
  }

  @Test
  void aCanaryDeletedByHandWhilePausedAbortsTheReleaseTrafficToStableFirst() {
    try (Fixture f = new Fixture()) {
      RolloutHandle rollout = f.runner.start(SPEC);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));

      int callsBefore = f.workloads.calls().size();
      f.workloads.deleteCanaryOutOfBand(SPEC.key());
      f.clock.runDue();

      RolloutStatus aborting = rollout.await(s -> s.phase() == Phase.ABORTING || s.phase().isTerminal(), Duration.ofMinutes(1));
      assertThat(aborting.conditions()).extracting(Condition::reason).contains("CanaryWorkloadLost");
      assertThat(aborting.abortReason().orElse("")).contains("rollouts-demo-deployment-canary was deleted outside the rollout")
          .contains("all traffic goes back to stable");
      RolloutStatus ended = rollout.await(Duration.ofHours(1));
      assertThat(ended.phase()).isEqualTo(Phase.ABORTED);
      assertThat(f.router.currentWeights(SPEC)).extracting(RouteWeight::canaryWeight).containsExactly(0);
      List<String> calls = f.workloads.calls();
      assertThat(calls.subList(callsBefore, calls.size())).as("traffic to stable before the clean-up")
          .containsSubsequence("trafficShifted 0", "removeCanary");
      assertThat(f.events).filteredOn(e -> e.warning()).extracting(RolloutEvent::message)
          .anyMatch(m -> m.contains("rollouts-demo-deployment-canary was deleted outside the rollout"));
    }
  }

  @Test
  void aCanaryScaledToZeroByHandAbortsTheRelease() {
    try (Fixture f = new Fixture()) {
      RolloutHandle rollout = f.runner.start(SPEC);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));

      f.workloads.scaleCanaryOutOfBand(SPEC.key(), 0);
      f.clock.runDue();

      RolloutStatus ended = rollout.await(Duration.ofHours(1));
      assertThat(ended.phase()).isEqualTo(Phase.ABORTED);
      assertThat(ended.conditions()).extracting(Condition::reason).contains("CanaryWorkloadLost");
      assertThat(f.events).extracting(RolloutEvent::message)
          .anyMatch(m -> m.contains("rollouts-demo-deployment-canary was scaled from 1 to 0 replicas outside the rollout"));
    }
  }

  @Test
  void aRouterWhoseWatchCannotStartStillRunsTheRollout() {
    try (Fixture f = new Fixture()) {
      TrafficRouter unwatchable = new TrafficRouter() {
        @Override
        public List<Problem> validate(CanarySpec spec) {
          return f.router.validate(spec);
        }

        @Override
        public void apply(CanarySpec spec, RoutingState desired) {
          f.router.apply(spec, desired);
        }

        @Override
        public List<RouteWeight> currentWeights(CanarySpec spec) {
          return f.router.currentWeights(spec);
        }

        @Override
        public AutoCloseable watchRouting(CanarySpec spec, Consumer<List<RouteWeight>> onChange) {
          throw new CanaryException("forbidden: cannot watch InMemoryRoutes");
        }
      };
      try (CanaryRunner runner = CanaryRunner.builder().trafficRouter(unwatchable).workloads(f.workloads).scheduler(f.clock)
          .addListener(f.events::add).build()) {
        RolloutHandle rollout = runner.start(SPEC);
        rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
        rollout.promote();
        assertThat(rollout.await(Duration.ofHours(1)).phase()).isEqualTo(Phase.SUCCEEDED);
      }
    }
  }

  private static List<DriftDetected> drifts(Fixture f) {
    return f.events.stream().filter(e -> e instanceof DriftDetected).map(e -> (DriftDetected) e).toList();
  }
}
