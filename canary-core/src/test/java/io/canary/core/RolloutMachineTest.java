package io.canary.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.internal.Action;
import io.canary.core.internal.Decision;
import io.canary.core.internal.Observation;
import io.canary.core.internal.RolloutMachine;
import io.canary.core.spi.CanaryScale;
import io.canary.core.spi.RevisionState;
import io.canary.core.spi.WorkloadState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pure decision function, fed statuses and observations directly. */
class RolloutMachineTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final Revisions REVISIONS = new Revisions(new Revision("web", "s1", Map.of("canary.io/revision", "s1")),
      new Revision("web-canary", "c2", Map.of("canary.io/revision", "c2")));
  private static final CanarySpec SPEC = RunnerStepsTest.spec(Step.setWeight(50), Step.pause()).build();

  private static RolloutStatus progressing(Optional<Integer> requested) {
    return RolloutStatus.builder().namespace("shop").name("web").phase(Phase.PROGRESSING)
        .step(StepProgress.builder().count(2).canaryReplicasRequested(requested).desiredWeight(50).build())
        .stableRevision(REVISIONS.stable()).canaryRevision(REVISIONS.canary())
        .timers(Timers.builder().waitingSince(requested.map(r -> NOW)).build()).lastTransitionTime(NOW).build();
  }

  private static Observation observed(int stableDesired, RevisionState canary) {
    RevisionState stable = RevisionState.builder().workload("web").hash("s1").desired(stableDesired).current(stableDesired)
        .updated(stableDesired).ready(stableDesired).available(stableDesired).build();
    return Observation.of(new WorkloadState(stable, Optional.of(canary)));
  }

  private static RevisionState canary(int available, boolean autoscaled, Optional<Integer> max) {
    return RevisionState.builder().workload("web-canary").hash("c2").desired(available).current(available).updated(available)
        .ready(available).available(available).autoscaled(autoscaled).maxReplicas(max).build();
  }

  @Test
  void theWeightWaitsForEveryPodItNeeds() {
    Decision d = RolloutMachine.decide(SPEC, progressing(Optional.of(5)), observed(10, canary(3, false, Optional.empty())), NOW);
    assertThat(d.actions()).isEmpty();
    assertThat(d.wakeAt()).contains(NOW.plus(SPEC.progressDeadline()));
  }

  @Test
  void anAutoscaledCanaryIsNotAwaitedPastItsAutoscalersMaximum() {
    Decision d = RolloutMachine.decide(SPEC, progressing(Optional.of(5)), observed(10, canary(3, true, Optional.of(3))), NOW);
    assertThat(d.actions()).singleElement().isInstanceOf(Action.ApplyRouting.class);
    assertThat(((Action.ApplyRouting) d.actions().get(0)).state().canaryWeight()).isEqualTo(50);
    assertThat(d.next().currentWeight()).isEqualTo(50);
  }

  @Test
  void theCanaryIsAskedForItsReplicasOnceAndTheRequestIsRemembered() {
    Decision d = RolloutMachine.decide(SPEC, progressing(Optional.empty()), observed(10, canary(0, false, Optional.empty())), NOW);
    assertThat(d.actions()).containsExactly(new Action.ScaleCanary(CanaryScale.preScale(5), "setWeight 50"));
    assertThat(d.next().step().canaryReplicasRequested()).contains(5);
    assertThat(d.next().timers().waitingSince()).contains(NOW);
  }

  @Test
  void decisionsArePure() {
    RolloutStatus st = progressing(Optional.of(5));
    Observation obs = observed(10, canary(5, false, Optional.empty()));
    assertThat(RolloutMachine.decide(SPEC, st, obs, NOW)).isEqualTo(RolloutMachine.decide(SPEC, st, obs, NOW));
  }

  @Test
  void pastTheDeadlineTheRolloutAborts() {
    Decision d = RolloutMachine.decide(SPEC, progressing(Optional.of(5)), observed(10, canary(1, false, Optional.empty())),
        NOW.plus(SPEC.progressDeadline()).plus(Duration.ofSeconds(1)));
    assertThat(d.next().phase()).isEqualTo(Phase.ABORTING);
    assertThat(d.next().abortReason()).hasValueSatisfying(r -> assertThat(r).contains("1 of 5 replicas available"));
  }
}
