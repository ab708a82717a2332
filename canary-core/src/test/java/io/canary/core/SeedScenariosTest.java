package io.canary.core;

import static org.assertj.core.api.Assertions.assertThat;

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
      assertThat(paused.pauseUntil()).isEmpty();

      f.advance(Duration.ofHours(3));
      assertThat(rollout.status().phase()).as("an indefinite pause waits for promote()").isEqualTo(Phase.PAUSED);

      rollout.promote();
      RolloutStatus done = rollout.await(Duration.ofMinutes(30));

      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(f.router.weights(spec.key())).containsExactly(20, 40, 60, 80, 0, 0);
      RoutingState released = f.router.routing(spec.key()).orElseThrow();
      assertThat(released.stableLabels()).isEmpty();
      assertThat(released.canaryLabels()).isEmpty();
      Revision stable = done.stableRevision().orElseThrow();
      assertThat(stable.workload()).isEqualTo("rollouts-demo-deployment");
      assertThat(stable.hash()).isEqualTo(done.canaryRevision().orElseThrow().hash());
      assertThat(f.workloads.canaryExists(spec.key())).isFalse();
    }
  }
}
