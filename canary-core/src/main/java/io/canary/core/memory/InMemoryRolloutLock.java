package io.canary.core.memory;

import io.canary.core.RolloutKey;
import io.canary.core.spi.RolloutLock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Leases in memory, on a given clock: enough for runners of one process, and for tests of what two
 * runners do when they race for one rollout.
 */
public final class InMemoryRolloutLock implements RolloutLock {
  private final Supplier<Instant> clock;
  private final Map<RolloutKey, Lease> leases = new HashMap<>();

  public InMemoryRolloutLock(Supplier<Instant> clock) {
    this.clock = clock;
  }

  @Override
  public synchronized boolean tryAcquire(RolloutKey key, String holder, Duration leaseDuration) {
    Instant now = clock.get();
    Lease lease = leases.get(key);
    if (lease != null && !lease.holder.equals(holder) && now.isBefore(lease.expires)) {
      return false;
    }
    leases.put(key, new Lease(holder, now.plus(leaseDuration)));
    return true;
  }

  @Override
  public synchronized void release(RolloutKey key, String holder) {
    Lease lease = leases.get(key);
    if (lease != null && lease.holder.equals(holder)) {
      leases.remove(key);
    }
  }

  /** Who holds the lock of {@code key} now, if anyone. */
  public synchronized Optional<String> holder(RolloutKey key) {
    Lease lease = leases.get(key);
    return lease == null || !clock.get().isBefore(lease.expires) ? Optional.empty() : Optional.of(lease.holder);
  }

  private record Lease(String holder, Instant expires) {}
}
