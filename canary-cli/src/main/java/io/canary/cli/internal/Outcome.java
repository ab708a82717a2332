package io.canary.cli.internal;

import io.canary.core.CanarySpec;
import io.canary.core.PauseReason;
import io.canary.core.Phase;
import io.canary.core.RolloutStatus;
import io.canary.core.Step;
import java.util.Optional;

/** What a command ends with: its exit code, a line for people, and the rollout's last status. */
public record Outcome(ExitCode exit, String message, Optional<RolloutStatus> status) {

  public static Outcome of(ExitCode exit, String message) {
    return new Outcome(exit, message, Optional.empty());
  }

  /** The outcome of a wait that ended at {@code status} ({@code timedOut}: the wait's time ran out first). */
  public static Outcome of(CanarySpec spec, RolloutStatus status, boolean timedOut) {
    String where = Output.progressLine(status);
    if (status.phase() == Phase.SUCCEEDED) {
      return new Outcome(ExitCode.SUCCEEDED, "Rollout " + status.key() + " succeeded", Optional.of(status));
    }
    if (status.phase() == Phase.ABORTED || status.phase() == Phase.FAILED) {
      return new Outcome(ExitCode.ABORTED, "Rollout " + status.key() + " " + status.phase().displayName().toLowerCase()
          + status.abortReason().or(status::message).map(r -> ": " + r).orElse(""), Optional.of(status));
    }
    if (waitsForAPerson(spec, status)) {
      return new Outcome(ExitCode.WAITING, "Rollout " + status.key() + " is paused for a person (" + where
          + "): canary promote or canary abort -f the same spec", Optional.of(status));
    }
    return new Outcome(timedOut ? ExitCode.WAITING : ExitCode.SUCCEEDED, "Rollout " + status.key()
        + (timedOut ? " did not end within the timeout: " : " is ") + where, Optional.of(status));
  }

  /** Paused until promoted, on an inconclusive analysis, or by {@code canary pause}: only a person goes on. */
  public static boolean waitsForAPerson(CanarySpec spec, RolloutStatus s) {
    if (s.phase() != Phase.PAUSED) {
      return false;
    }
    PauseReason reason = s.pauseReason().orElse(PauseReason.CanaryPauseStep);
    if (reason != PauseReason.CanaryPauseStep) {
      return true;
    }
    return s.stepIndex() < spec.steps().size() && spec.steps().get(s.stepIndex()) instanceof Step.Pause p && p.untilPromoted();
  }
}
