package io.canary.core.spi;

import io.canary.core.RolloutKey;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One release per target workload at a time, whatever the rollout's name or runner: a rollout claims
 * its target before anything else is written, and gives the claim up when it has ended. A claim
 * records the rollout that holds it, so that the same rollout resumed by another runner is not a
 * second release.
 *
 * <p>Every change is a compare-and-set: of two rollouts claiming one target at the same instant,
 * exactly one holds it afterwards, and the other is answered with the winner's claim. Whether a claim
 * another rollout holds may be replaced (its rollout ended, or is gone, and its runner did not give
 * the claim up) is the caller's to judge, through {@code stale}.
 */
public interface TargetClaims {
  /** Who holds a target: the rollout, and when it claimed (or last claimed again) the target. */
  record Claim(RolloutKey rollout, Instant claimedAt) {}

  /**
   * Claims {@code target} for {@code rollout} at {@code now}: creates the claim when there is none,
   * claims again (a new {@code claimedAt}) when {@code rollout} holds it already, and replaces a claim
   * of another rollout when {@code stale} says it is stale.
   *
   * @return empty when {@code rollout} holds the claim now; the claim of the other rollout that holds
   *     the target otherwise
   */
  Optional<Claim> claim(TargetKey target, RolloutKey rollout, Instant now, Predicate<Claim> stale);

  /** The claim on {@code target}, if any (a read: who would be named if a claim were refused). */
  Optional<Claim> holder(TargetKey target);

  /** Gives the claim up, if {@code rollout} holds it (a claim another rollout holds now is kept). */
  void release(TargetKey target, RolloutKey rollout);
}
