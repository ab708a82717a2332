package io.canary.core.internal;

import io.canary.core.CanarySpec;
import io.canary.core.Durations;
import io.canary.core.Phase;
import io.canary.core.RolloutStatus;
import io.canary.core.Stage;
import java.time.Duration;
import java.time.Instant;

/**
 * What a rollout does when its actions keep failing (an API that does not answer, a write refused):
 * it tries again with a capped backoff, says so in its status, and once it has failed for its whole
 * progress deadline (or the cluster objects no longer fit it) it rolls back, traffic to stable first.
 * Rolling back, or past the point where the stable workload takes the new revision, it never gives up:
 * no end state leaves traffic on a canary that cannot serve it.
 */
final class Failures {
  /** The longest wait between two attempts. */
  static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

  private Failures() {}

  /**
   * @param status the status to save (a new message, or the roll-back)
   * @param retryIn when to try again, unless rolling back now (then at once)
   * @param rollingBack true when the rollout has just turned to its roll-back
   */
  record Outcome(RolloutStatus status, Duration retryIn, boolean rollingBack) {}

  static Outcome after(CanarySpec spec, RolloutStatus st, boolean objectsNoLongerFit, String cause, int attempts,
      Instant failingSince, Instant now) {
    Duration backoff = backoff(attempts);
    Duration failingFor = Duration.between(failingSince, now);
    boolean canRollBack = st.phase() == Phase.PENDING || st.phase() == Phase.PROGRESSING || st.phase() == Phase.PAUSED
        || (st.phase() == Phase.PROMOTING && st.stage() == Stage.NONE);
    if (canRollBack && (objectsNoLongerFit || failingFor.compareTo(spec.progressDeadline()) >= 0)) {
      String why = "could not go on for " + Durations.format(failingFor) + " (" + attempts + " attempts): " + cause
          + "; traffic goes back to stable";
      return new Outcome(Transitions.toAborting(st, now, RolloutMachine.REASON_ACTION_FAILED, why).done(), Duration.ZERO, true);
    }
    String trying = (st.phase() == Phase.ABORTING ? "rolling back: " : "") + cause + " (attempt " + attempts
        + ", failing for " + Durations.format(failingFor) + "; trying again in " + Durations.format(backoff)
        + (canRollBack ? ", rolling back after the progress deadline of " + Durations.format(spec.progressDeadline()) : "")
        + ")";
    return new Outcome(StatusEdit.of(st).withMessage(trying).done(), backoff, false);
  }

  /** 1 s, 2 s, 4 s ... up to {@link #MAX_BACKOFF}. */
  static Duration backoff(int attempts) {
    Duration d = Duration.ofSeconds(1L << Math.min(attempts - 1, 6));
    return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
  }
}
