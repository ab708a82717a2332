package io.canary.core.internal;

import io.canary.core.CanarySpec;
import io.canary.core.CanaryValidationException;
import io.canary.core.Durations;
import io.canary.core.Phase;
import io.canary.core.RolloutStatus;
import io.canary.core.Stage;
import io.canary.core.spi.ApiFault;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What a rollout does when its actions fail. A transient fault (5xx, 429, a timeout, a dropped
 * connection, a conflict: see {@link Faults}) is tried again after the runner's {@link
 * io.canary.core.spi.RetryPolicy} delay, quietly (a log line, no status write), for as many attempts
 * as the policy allows. A lasting fault, or one the policy gave up on, is tried again with a capped
 * backoff, the status saying so, and once the actions have failed for the whole progress deadline (or
 * the cluster objects no longer fit) the rollout rolls back, traffic to stable first. Rolling back, or
 * past the point where the stable workload takes the new revision, it never gives up: no end state
 * leaves traffic on a canary that cannot serve it.
 */
final class Failures {
  /** The longest wait between two attempts after a lasting fault. */
  static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

  private Failures() {}

  /**
   * @param status the status to save (a new message, or the roll-back); unchanged when {@code quiet}
   * @param retryIn when to try again, unless rolling back now (then at once)
   * @param rollingBack true when the rollout has just turned to its roll-back
   * @param quiet true for a transient fault retried per the policy: nothing to save
   * @param fault the fault as classified
   */
  record Outcome(RolloutStatus status, Duration retryIn, boolean rollingBack, boolean quiet, ApiFault fault) {}

  /**
   * @param callAttempts the failed attempts in a row of the call that failed now (for the policy)
   * @param attempts the failed attempts in a row of the rollout's actions, whichever call failed
   */
  static Outcome after(RunnerContext ctx, CanarySpec spec, RolloutStatus st, RuntimeException failure, ApiFault fault,
      int callAttempts, int attempts, Instant failingSince, Instant now) {
    Optional<Duration> policyDelay = fault.retryable() ? ctx.retryPolicy().delay(callAttempts, fault.retryAfter()) : Optional.empty();
    if (policyDelay.isPresent()) {
      return new Outcome(st, policyDelay.get(), false, true, fault);
    }
    String cause = String.valueOf(failure.getMessage());
    Duration backoff = backoff(attempts);
    Duration failingFor = Duration.between(failingSince, now);
    boolean canRollBack = st.phase() == Phase.PENDING || st.phase() == Phase.PROGRESSING || st.phase() == Phase.PAUSED
        || (st.phase() == Phase.PROMOTING && st.stage() == Stage.NONE);
    boolean objectsNoLongerFit = failure instanceof CanaryValidationException;
    if (canRollBack && (objectsNoLongerFit || failingFor.compareTo(spec.progressDeadline()) >= 0)) {
      String why = "could not go on for " + Durations.format(failingFor) + " (" + attempts + " attempts): " + cause
          + "; traffic goes back to stable";
      return new Outcome(Transitions.toAborting(st, now, RolloutMachine.REASON_ACTION_FAILED, why).done(), Duration.ZERO,
          true, false, fault);
    }
    String trying = (st.phase() == Phase.ABORTING ? "rolling back: " : "") + cause + " (attempt " + attempts
        + ", failing for " + Durations.format(failingFor) + "; trying again in " + Durations.format(backoff)
        + (canRollBack ? ", rolling back after the progress deadline of " + Durations.format(spec.progressDeadline()) : "")
        + ")";
    return new Outcome(StatusEdit.of(st).withMessage(trying).done(), backoff, false, false, fault);
  }

  /** 1 s, 2 s, 4 s ... up to {@link #MAX_BACKOFF}. */
  static Duration backoff(int attempts) {
    Duration d = Duration.ofSeconds(1L << Math.min(attempts - 1, 6));
    return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
  }
}
