package io.canary.core.spi;

import io.canary.core.RolloutKey;
import java.time.Duration;

/**
 * Makes sure one runner at a time drives a rollout (in a cluster, a Lease per rollout). A holder
 * renews before the lease duration runs out; one that fails to renew stops acting at once.
 */
public interface RolloutLock {
  /** Takes or renews the lock for {@code holder}; false when another holder has it. */
  boolean tryAcquire(RolloutKey key, String holder, Duration leaseDuration);

  /** Gives the lock up, if {@code holder} has it. */
  void release(RolloutKey key, String holder);
}
