package io.canary.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.event.CanaryScaled;
import io.canary.core.event.RolloutEvent;
import io.canary.core.spi.RoutingState;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The seed plans of scenarios/ run to Succeeded on the in-memory adapters with the weights each plan states. */
class SeedScenariosTest {
  @Test
  void rolloutsDemoPassesThroughTwentyFortySixtyEightyThenAllOnTheNewStable() {
    try (Fixture f = new Fixture()) {
      CanarySpec spec = Scenarios.rolloutsDemo();
      RolloutHandle rollout = f.runner.start(spec);

      RolloutStatus paused = rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      assertThat(paused.stepIndex()).isEqualTo(1);
      assertThat(paused.currentWeight()).isEqualTo(20);
      assertThat(paused.pauseReason()).contains(PauseReason.CanaryPauseStep);
      assertThat(paused.timers().pauseUntil()).isEmpty();

      f.advance(Duration.ofHours(3));
      assertThat(rollout.status().phase()).as("an indefinite pause waits for promote()").isEqualTo(Phase.PAUSED);

      rollout.promote();
      RolloutStatus done = rollout.await(Duration.ofMinutes(30));

      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(f.router.weights(spec.key())).containsExactly(0, 20, 40, 60, 80, 80, 0, 0);
      RoutingState pinned = f.router.history(spec.key()).get(0);
      assertThat(pinned.canaryWeight()).isZero();
      assertThat(pinned.stableLabels()).as("before the canary has a pod, the stable side selects the stable revision only")
          .isNotEmpty().isEqualTo(f.router.history(spec.key()).get(1).stableLabels());
      RoutingState whileStableRollsOut = f.router.history(spec.key()).get(5);
      assertThat(whileStableRollsOut.stableLabels()).as("stable routing selects old and new stable pods").isEmpty();
      assertThat(whileStableRollsOut.canaryLabels()).isNotEmpty();
      assertThat(f.workloads.calls()).containsSubsequence("trafficShifted 80", "promote", "trafficShifted 0", "removeCanary");
      RoutingState released = f.router.routing(spec.key()).orElseThrow();
      assertThat(released.stableLabels()).isEmpty();
      assertThat(released.canaryLabels()).isEmpty();
      Revision stable = done.stableRevision().orElseThrow();
      assertThat(stable.workload()).isEqualTo("rollouts-demo-deployment");
      assertThat(stable.hash()).isEqualTo(done.canaryRevision().orElseThrow().hash());
      assertThat(f.workloads.canaryExists(spec.key())).isFalse();
      assertThat(f.events).filteredOn(e -> e instanceof CanaryScaled).extracting(RolloutEvent::message)
          .startsWith("Asked for at least 1 canary replica (setWeight 20)", "Asked for at least 2 canary replicas (setWeight 40)");
    }
  }

  @Test
  void appAServiceStrategyStepsTwentyAtATimeWithOneMinutePauses() {
    try (Fixture f = new Fixture(4, Duration.ofSeconds(20))) {
      CanarySpec spec = Scenarios.appA();
      RolloutHandle rollout = f.runner.start(spec);
      RolloutStatus done = rollout.await(Duration.ofMinutes(30));
      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(f.router.weights(spec.key())).containsExactly(0, 20, 40, 60, 80, 80, 0, 0);
      assertThat(f.workloads.calls()).containsSubsequence("scaleCanary 1", "scaleCanary 2", "scaleCanary 3",
          "scaleCanary 4", "promote", "removeCanary");
      assertThat(f.router.routing(spec.key()).orElseThrow().managedLabelKeys()).containsExactly("canary.io/revision");
    }
  }

  @Test
  void imeshPausesAnHourAtFiftyPercentAndShowsThatWhilePaused() {
    try (Fixture f = new Fixture(2, Duration.ofSeconds(30))) {
      CanarySpec spec = Scenarios.imesh();
      RolloutHandle rollout = f.runner.start(spec);
      RolloutStatus paused = rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      assertThat(paused.pauseReason()).contains(PauseReason.CanaryPauseStep);
      assertThat(paused.stepIndex()).isEqualTo(1);
      assertThat(paused.stepCount()).isEqualTo(2);
      assertThat(paused.currentWeight()).isEqualTo(50);
      assertThat(f.workloads.canaryReady(spec.key())).as("half of 2 stable pods").isEqualTo(1);
      long epoch = paused.owner().orElseThrow().epoch();
      assertThat(rollout.describe()).contains("Status:          ॥ Paused", "Runner:          runner-a (epoch " + epoch + ")",
          "Message:         CanaryPauseStep",
          "  Step:          2/2", "  SetWeight:     50", "  ActualWeight:  50", "  Desired:       2", "  Current:       3",
          "  Updated:       1", "  Ready:         3", "  Available:     3", "imesh-rollout-canary", "stable");

      f.advance(Duration.ofMinutes(59));
      assertThat(rollout.status().phase()).isEqualTo(Phase.PAUSED);
      RolloutStatus done = rollout.await(Duration.ofHours(2));
      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(f.router.weights(spec.key())).containsExactly(0, 50, 50, 0, 0);
      assertThat(rollout.describe()).as("promoted: the new revision is the stable one and takes all traffic")
          .contains("Status:          ✔ Succeeded", "  SetWeight:     100", "  ActualWeight:  100", "Stable:")
          .doesNotContain("Canary:", "Runner:");
    }
  }

  @Test
  void imeshCanBeRolledBackWhilePaused() {
    try (Fixture f = new Fixture(2, Duration.ZERO)) {
      CanarySpec spec = Scenarios.imesh();
      RolloutHandle rollout = f.runner.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      rollout.abort();
      RolloutStatus done = rollout.await(Duration.ofMinutes(5));
      assertThat(done.phase()).isEqualTo(Phase.ABORTED);
      assertThat(f.router.weights(spec.key())).containsExactly(0, 50, 0, 0);
      assertThat(rollout.describe()).as("rolled back: stable takes all traffic, no weight is set any more")
          .contains("  SetWeight:     0", "  ActualWeight:  0").doesNotContain("Canary:");
      assertThat(f.workloads.canaryExists(spec.key())).isFalse();
    }
  }

  @Test
  void helloworldFocusedCanaryThenNinetyTenFiftyFiftyAndAllOnV2() {
    try (Fixture f = new Fixture(1, Duration.ZERO)) {
      CanarySpec spec = Scenarios.helloworld();
      RolloutHandle rollout = f.runner.start(spec);

      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(1));
      RoutingState focused = f.router.routing(spec.key()).orElseThrow();
      assertThat(focused.canaryWeight()).as("everyone else stays on v1").isZero();
      assertThat(focused.headerRoutes()).singleElement().satisfies(h -> {
        assertThat(h.canaryWeight()).isEqualTo(50);
        assertThat(h.matches().get(0).headers().get("cookie")).isEqualTo(StringMatch.regex(Scenarios.COMPANY_COOKIE));
      });
      assertThat(focused.stableLabels()).as("the user's subsets already tell v1 and v2 apart").isEmpty();

      for (int i = 0; i < 3; i++) {
        rollout.promote();
        rollout.await(s -> s.phase() == Phase.PAUSED || s.phase().isTerminal(), Duration.ofMinutes(1));
      }
      RolloutStatus done = rollout.await(Duration.ofMinutes(1));
      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(f.router.weights(spec.key())).containsExactly(0, 0, 10, 50, 100);
      assertThat(done.stableRevision().map(Revision::workload)).as("reports which one is stable").contains("helloworld-v2");
      assertThat(f.router.routing(spec.key()).orElseThrow().headerRoutes()).isEmpty();
      assertThat(f.workloads.calls()).as("nothing of the user's is promoted over").doesNotContain("promote");
    }
  }
}
