package io.canary.core.internal;

import io.canary.core.CanaryException;
import io.canary.core.CanarySpec;
import io.canary.core.Condition;
import io.canary.core.Control;
import io.canary.core.GateProgress;
import io.canary.core.Phase;
import io.canary.core.Revision;
import io.canary.core.RolloutStatus;
import io.canary.core.Stage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The status changes the machine's decisions share: to the next step, to promoting, aborting, failed, done. */
final class Transitions {
  private Transitions() {}

  static StatusEdit copy(RolloutStatus st, Instant now) {
    return StatusEdit.of(st).withLastTransitionTime(now);
  }

  static StatusEdit nextStep(RolloutStatus st, Instant now) {
    return copy(st, now)
        .clearStepAnalysis()
        .withPhase(Phase.PROGRESSING)
        .withGate(Optional.empty())
        .withStepIndex(st.stepIndex() + 1)
        .withStepStartedAt(now)
        .withPauseReason(Optional.empty())
        .withPauseUntil(Optional.empty())
        .withWaitingSince(Optional.empty());
  }

  static StatusEdit toPromoting(RolloutStatus st, Instant now, String why) {
    return copy(st, now)
        .clearStepAnalysis()
        .withPhase(Phase.PROMOTING)
        .withStage(Stage.NONE)
        .withPauseReason(Optional.empty())
        .withPauseUntil(Optional.empty())
        .withWaitingSince(Optional.empty())
        .withNextBackgroundAnalysisAt(Optional.empty())
        .withMessage(why);
  }

  static StatusEdit toAborting(RolloutStatus st, Instant now, String reason, String why) {
    StatusEdit next = copy(st, now)
        .clearStepAnalysis()
        .withPhase(Phase.ABORTING)
        .withStage(Stage.NONE)
        .withAbortReason(why)
        .withPauseReason(Optional.empty())
        .withPauseUntil(Optional.empty())
        .withWaitingSince(Optional.empty())
        .withNextBackgroundAnalysisAt(Optional.empty())
        .withMessage("aborting: " + why);
    condition(next, Condition.PAUSED, false, reason, why, now);
    condition(next, Condition.PROGRESSING, false, reason, why, now);
    return condition(next, Condition.ABORTED, true, reason, why, now);
  }

  static StatusEdit toFailed(RolloutStatus st, Instant now, String reason, String message) {
    StatusEdit failed = copy(st, now).withPhase(Phase.FAILED).withAbortReason(message).withMessage(message)
        .withPauseReason(Optional.empty()).withPauseUntil(Optional.empty()).withWaitingSince(Optional.empty());
    return condition(failed, Condition.PROGRESSING, false, reason, message, now);
  }

  static RolloutStatus succeeded(RolloutStatus st, Instant now, Revision stable, int canaryWeight) {
    StatusEdit done = copy(st, now)
        .withPhase(Phase.SUCCEEDED)
        .withStage(Stage.NONE)
        .withStableRevision(stable)
        .withCurrentWeight(canaryWeight)
        .withDesiredWeight(canaryWeight)
        .withDueAt(Optional.empty())
        .withWaitingSince(Optional.empty())
        .withStableScale(Optional.empty())
        .withMessage("revision " + stable.hash() + " of " + stable.workload() + " is stable");
    condition(done, Condition.PROGRESSING, false, RolloutMachine.REASON_COMPLETED, "rollout completed", now);
    condition(done, Condition.AVAILABLE, true, RolloutMachine.REASON_COMPLETED, stable.workload() + " is stable", now);
    return condition(done, Condition.COMPLETED, true, RolloutMachine.REASON_COMPLETED, "rollout completed", now).done();
  }

  static RolloutStatus aborted(RolloutStatus st, Instant now) {
    return copy(st, now).withPhase(Phase.ABORTED).withStage(Stage.NONE).withDueAt(Optional.empty())
        .withMessage("aborted: " + st.abortReason().orElse("") + "; the canary is removed").done();
  }

  /** Sets condition {@code type}, keeping its transition time when its status does not change. */
  static StatusEdit condition(StatusEdit st, String type, boolean status, String reason, String message, Instant now) {
    List<Condition> conditions = new ArrayList<>();
    boolean replaced = false;
    for (Condition c : st.now().conditions()) {
      if (c.type().equals(type)) {
        Instant since = c.status() == status ? c.lastTransitionTime() : now;
        conditions.add(new Condition(type, status, reason, message, since));
        replaced = true;
      } else {
        conditions.add(c);
      }
    }
    if (!replaced) {
      conditions.add(new Condition(type, status, reason, message, now));
    }
    return st.withConditions(conditions);
  }

  static boolean due(Optional<Instant> at, Instant now) {
    return at.isPresent() && !now.isBefore(at.get());
  }

  /** The earliest time something the status waits for falls due. */
  static Optional<Instant> wakeAt(CanarySpec spec, RolloutStatus st) {
    return Stream.of(
            st.timers().pauseUntil(),
            st.phase() == Phase.PROGRESSING ? Steps.stepAnalysisAt(spec, st) : st.stepAnalysis().nextAt(),
            st.backgroundAnalysis().nextAt(),
            st.stableScaling().scaleDownAt(),
            st.timers().dueAt(),
            st.timers().waitingSince().map(w -> w.plus(spec.progressDeadline())),
            st.gate().flatMap(GateProgress::nextAskAt))
        .flatMap(Optional::stream)
        .min(Instant::compareTo);
  }

  static String describeStep(CanarySpec spec, RolloutStatus st) {
    return st.stepIndex() < spec.steps().size() ? spec.steps().get(st.stepIndex()).describe() : "promotion";
  }

  static CanaryException refused(RolloutStatus st, CanarySpec spec, Control control, String rule) {
    return new CanaryException("Rollout " + st.key() + ": " + control.method() + " does not apply while "
        + st.phase().displayName()
        + (st.stage() == Stage.NONE ? "" : " (stage " + st.stage() + ")")
        + " at " + StepNumbers.position(st) + " (" + describeStep(spec, st) + "): " + rule);
  }
}
