package io.canary.core.spi;

import io.canary.core.RolloutOwner;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * One lease per runner (in a cluster, a Lease per runner), so that what leases cost grows with the
 * runners, not with their rollouts. Each rollout's status records its owner, the runner and the epoch
 * of its lease ({@link RolloutOwner}); the status store's compare-and-set makes taking a rollout over
 * exclusive, and this lease says whether an owner still holds.
 *
 * <p>The rules an implementation keeps:
 *
 * <ul>
 *   <li>Each {@link #acquire} that succeeds starts a new epoch, never used before for that runner.
 *   <li>{@link #renew} succeeds only while the lease is still at that epoch: not given up, not revoked.
 *   <li>{@link #holds} answers false only when the epoch can never be renewed again: the lease is gone,
 *       at another epoch, given up, or it ran out and this call revoked it (a compare-and-set, so that a
 *       renewal racing with the revocation loses, or the revocation does).
 * </ul>
 *
 * Every change is a compare-and-set. Expiry is judged on the implementation's clock (the runners'
 * clocks need to roughly agree, as with any Kubernetes lease).
 */
public interface RunnerLeases {
  /**
   * Takes the lease of {@code runner} at a new epoch: when there is none, when it ran out, was given up
   * or revoked, or when it is still held at {@code previous} (an epoch this runner has stopped using).
   *
   * @return the new epoch; empty when the lease is held at another epoch and has not run out (another
   *     process runs with this identity)
   */
  OptionalLong acquire(String runner, Duration duration, OptionalLong previous);

  /**
   * Renews the lease of {@code runner} at {@code epoch}.
   *
   * @return false when the lease is no longer at that epoch (given up, revoked, or taken again)
   */
  boolean renew(String runner, long epoch, Duration duration);

  /**
   * Whether {@code owner}'s lease still holds at its epoch. A lease that ran out is revoked here, so
   * that false is final: that epoch never acts again, and its rollouts may be taken over.
   */
  boolean holds(RolloutOwner owner);

  /** Gives the lease up (the runner stops), if it is still at {@code epoch}. */
  void release(String runner, long epoch);

  /**
   * Whether a renewal sends an API request (true unless said otherwise). On a virtual clock, a lease
   * whose renewals cost requests is renewed when a rollout acts, not on a timer, so that idle virtual
   * time sends nothing; one whose renewals cost nothing (in memory) is renewed on a timer on any clock.
   */
  default boolean costsRequests() {
    return true;
  }
}
