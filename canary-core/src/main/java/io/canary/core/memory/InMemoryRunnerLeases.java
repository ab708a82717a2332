package io.canary.core.memory;

import io.canary.core.RolloutOwner;
import io.canary.core.spi.RunnerLeases;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Runner leases in memory, on a given clock: enough for runners of one process, and for tests of what
 * two runners do when one stops renewing.
 */
public final class InMemoryRunnerLeases implements RunnerLeases {
  private final Supplier<Instant> clock;
  private final Map<String, Lease> leases = new HashMap<>();
  private long lastEpoch;

  public InMemoryRunnerLeases(Supplier<Instant> clock) {
    this.clock = clock;
  }

  @Override
  public synchronized OptionalLong acquire(String runner, Duration duration, OptionalLong previous) {
    Instant now = clock.get();
    Lease lease = leases.get(runner);
    boolean free = lease == null || lease.revoked || !now.isBefore(lease.expires)
        || (previous.isPresent() && lease.epoch == previous.getAsLong());
    if (!free) {
      return OptionalLong.empty();
    }
    long epoch = ++lastEpoch;
    leases.put(runner, new Lease(epoch, now.plus(duration), false));
    return OptionalLong.of(epoch);
  }

  @Override
  public synchronized boolean renew(String runner, long epoch, Duration duration) {
    Lease lease = leases.get(runner);
    if (lease == null || lease.revoked || lease.epoch != epoch) {
      return false;
    }
    leases.put(runner, new Lease(epoch, clock.get().plus(duration), false));
    return true;
  }

  @Override
  public synchronized boolean holds(RolloutOwner owner) {
    Lease lease = leases.get(owner.runner());
    if (lease == null || lease.revoked || lease.epoch != owner.epoch()) {
      return false;
    }
    if (!clock.get().isBefore(lease.expires)) {
      leases.put(owner.runner(), new Lease(lease.epoch, lease.expires, true));
      return false;
    }
    return true;
  }

  @Override
  public synchronized void release(String runner, long epoch) {
    Lease lease = leases.get(runner);
    if (lease != null && lease.epoch == epoch) {
      leases.remove(runner);
    }
  }

  /** No request: renewed on a timer on every clock. */
  @Override
  public boolean costsRequests() {
    return false;
  }

  /** The epoch {@code runner}'s lease holds now, if it holds. */
  public synchronized Optional<Long> epoch(String runner) {
    Lease lease = leases.get(runner);
    return lease == null || lease.revoked || !clock.get().isBefore(lease.expires) ? Optional.empty() : Optional.of(lease.epoch);
  }

  private record Lease(long epoch, Instant expires, boolean revoked) {}
}
