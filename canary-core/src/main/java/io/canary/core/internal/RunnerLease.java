package io.canary.core.internal;

import io.canary.core.RolloutOwner;
import io.canary.core.spi.ApiFault;
import io.canary.core.spi.RetryPolicy;
import io.canary.core.spi.RunnerLeases;
import io.canary.core.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one lease of a runner ({@link RunnerLeases}), held while it drives at least one rollout: taken
 * at a new epoch when the first rollout needs it, renewed, and given up when the last rollout it
 * drives has ended or when the runner closes. The
 * rollouts it drives record {@code (identity, epoch)} as their owner with their status.
 *
 * <p>Renewal. The lease is renewed every third of its duration while a rollout holds it (one request
 * per runner, whatever the number of rollouts), and not at all while none does. On a virtual clock, a
 * lease whose renewals cost requests ({@link RunnerLeases#costsRequests}, one in the cluster) is
 * renewed instead when a rollout is about to act and the last renewal is a third of the lease old,
 * never on a timer: idle virtual hours send nothing. (A runner idle longer than its lease on a virtual
 * clock may then see a standby runner on the same clock take its rollouts over; safely: its next
 * renewal finds its epoch revoked, and it stands by.) A renewal that fails with a fault is
 * tried again per the retry policy; the lease counts as lost when another epoch or a revocation is
 * seen, or when no renewal succeeded for two thirds of the lease (its renew deadline: the lease last
 * written is still valid for a third of its duration then, so no other runner can have taken a
 * rollout over while this one still acted). A lost lease stops every rollout at once.
 *
 * <p>Other runners' leases: {@link #ownerHolds} asks whether a rollout's recorded owner still holds
 * (answers true kept for a third of the lease, false for good: that epoch never acts again).
 */
public final class RunnerLease {
  private static final Logger LOG = LoggerFactory.getLogger("io.canary.rollout");

  /** A rollout driven at this lease's epoch, told when the lease is lost. */
  interface Holder {
    void leaseLost();
  }

  private final RunnerLeases leases;
  private final String identity;
  private final Duration duration;
  private final Scheduler scheduler;
  private final RetryPolicy retryPolicy;
  private final Faults faults;
  private final Set<Holder> holders = new HashSet<>();
  private final Map<RolloutOwner, Instant> liveUntil = new HashMap<>();
  private final Set<RolloutOwner> gone = new HashSet<>();
  private OptionalLong epoch = OptionalLong.empty();
  /** The epoch held last: given to the next take, which may then take the lease over from it at once. */
  private OptionalLong previous = OptionalLong.empty();
  /** When the last take or renewal that succeeded was sent. */
  private Instant renewedAt;
  private int failedRenewals;
  private Scheduler.Cancellable timer;
  private boolean closed;
  /** Renewed when a rollout acts, never on a timer: a virtual clock, and renewals that cost requests. */
  private final boolean renewWhenActing;

  public RunnerLease(RunnerLeases leases, String identity, Duration duration, Scheduler scheduler,
      RetryPolicy retryPolicy, Faults faults) {
    this.leases = leases;
    this.identity = identity;
    this.duration = duration;
    this.scheduler = scheduler;
    this.retryPolicy = retryPolicy;
    this.faults = faults;
    this.renewWhenActing = scheduler.isVirtual() && leases.costsRequests();
  }

  /** The epoch held now, without a request; empty when the lease is not held. */
  synchronized OptionalLong epoch() {
    return epoch;
  }

  /**
   * The epoch {@code holder} may act at: the lease as held, renewed first when due (on a virtual clock,
   * or when no timer renews it), or taken when it is not held.
   *
   * @return empty when another process holds this identity's lease
   * @throws RuntimeException the fault of a take that failed
   */
  OptionalLong hold(Holder holder) {
    List<Holder> lost = List.of();
    OptionalLong result;
    synchronized (this) {
      if (closed) {
        return OptionalLong.empty();
      }
      Instant now = scheduler.now();
      if (epoch.isPresent()) {
        Duration age = Duration.between(renewedAt, now);
        if (age.compareTo(duration.dividedBy(3)) >= 0 && (renewWhenActing || timer == null)) {
          renewNow(now);
        }
        if (epoch.isPresent() && Duration.between(renewedAt, now).compareTo(renewDeadline()) >= 0) {
          LOG.warn("Runner {}: no renewal of its lease (epoch {}) succeeded for {}; its rollouts stop", identity,
              epoch.getAsLong(), renewDeadline());
          epoch = OptionalLong.empty();
        }
        if (epoch.isEmpty()) {
          lost = loseLocked();
        }
      }
      if (epoch.isEmpty()) {
        OptionalLong taken = leases.acquire(identity, duration, previous);
        if (taken.isPresent()) {
          epoch = taken;
          previous = taken;
          renewedAt = now;
          failedRenewals = 0;
          LOG.info("Runner {} took its lease at epoch {}", identity, taken.getAsLong());
        } else {
          LOG.warn("Runner {}: its lease is held at another epoch by another process with this identity; waiting for it"
              + " to run out", identity);
        }
      }
      if (epoch.isPresent()) {
        holders.add(holder);
        renewLater(timer == null ? duration.dividedBy(3).minus(Duration.between(renewedAt, now)) : null);
      }
      result = epoch;
    }
    lost.forEach(Holder::leaseLost);
    return result;
  }

  /**
   * {@code holder} drives nothing at this lease any more; with the last one the lease is given up: a
   * runner that drives nothing holds no lease and sends nothing.
   */
  void release(Holder holder) {
    OptionalLong given;
    synchronized (this) {
      if (!holders.remove(holder) || !holders.isEmpty() || epoch.isEmpty()) {
        return;
      }
      cancelTimer();
      given = epoch;
      epoch = OptionalLong.empty();
    }
    try {
      leases.release(identity, given.getAsLong());
    } catch (RuntimeException e) {
      LOG.info("Runner {}: could not give its lease up (it runs out by itself): {}", identity, e.toString());
    }
  }

  /**
   * Whether a rollout's recorded owner is another runner whose lease still holds at that epoch (asked of
   * {@link RunnerLeases#holds}, which revokes a lease that ran out). This runner's own epochs never stand
   * in its way: the current one is its own, an earlier one it has stopped using.
   */
  public synchronized boolean ownerHolds(RolloutOwner owner) {
    if (owner.runner().equals(identity)) {
      return false;
    }
    if (gone.contains(owner)) {
      return false;
    }
    Instant now = scheduler.now();
    Instant until = liveUntil.get(owner);
    if (until != null && now.isBefore(until)) {
      return true;
    }
    boolean holds = leases.holds(owner);
    if (holds) {
      liveUntil.put(owner, now.plus(duration.dividedBy(3)));
    } else {
      liveUntil.remove(owner);
      gone.add(owner);
    }
    return holds;
  }

  /** Gives the lease up: the runner stops. */
  public void close() {
    OptionalLong held;
    synchronized (this) {
      closed = true;
      cancelTimer();
      held = epoch;
      epoch = OptionalLong.empty();
      holders.clear();
    }
    if (held.isPresent()) {
      try {
        leases.release(identity, held.getAsLong());
      } catch (RuntimeException e) {
        LOG.warn("Runner {}: could not give its lease up (it runs out by itself): {}", identity, e.toString());
      }
    }
  }

  private Duration renewDeadline() {
    return duration.multipliedBy(2).dividedBy(3);
  }

  /**
   * Renews now (the caller holds the monitor): the epoch is forgotten when the lease is no longer at it;
   * a fault is counted, logged and returned (left to the caller and the renew deadline).
   */
  private Optional<RuntimeException> renewNow(Instant now) {
    try {
      if (leases.renew(identity, epoch.getAsLong(), duration)) {
        renewedAt = now;
        failedRenewals = 0;
      } else {
        LOG.warn("Runner {}: its lease is no longer at epoch {} (revoked or taken again); its rollouts stop", identity,
            epoch.getAsLong());
        epoch = OptionalLong.empty();
      }
      return Optional.empty();
    } catch (RuntimeException e) {
      failedRenewals++;
      LOG.info("Runner {}: could not renew its lease (attempt {}): {}", identity, failedRenewals, e.toString());
      return Optional.of(e);
    }
  }

  /** On a real clock only: the next renewal in {@code in} (null: keep the timer there is). */
  private void renewLater(Duration in) {
    if (renewWhenActing || in == null || holders.isEmpty()) {
      return;
    }
    cancelTimer();
    timer = scheduler.schedule(in.isNegative() ? Duration.ZERO : in, this::renewOnTimer);
  }

  private void renewOnTimer() {
    List<Holder> lost = List.of();
    synchronized (this) {
      timer = null;
      if (closed || epoch.isEmpty() || holders.isEmpty()) {
        return;
      }
      Instant now = scheduler.now();
      Optional<RuntimeException> failure = renewNow(now);
      Duration left = renewDeadline().minus(Duration.between(renewedAt, now));
      if (epoch.isEmpty()) {
        lost = loseLocked();
      } else if (failure.isEmpty()) {
        renewLater(duration.dividedBy(3));
      } else if (left.isNegative() || left.isZero()) {
        LOG.warn("Runner {}: could not renew its lease before its renew deadline ({} attempts); its rollouts stop",
            identity, failedRenewals);
        lost = loseLocked();
      } else {
        ApiFault f = faults.classify(failure.get());
        Duration wait = (f.retryable() ? retryPolicy.delay(failedRenewals, f.retryAfter()) : Optional.<Duration>empty())
            .orElse(duration.dividedBy(10));
        wait = wait.compareTo(left) > 0 ? left : wait;
        LOG.info("Runner {}: trying to renew its lease again in {} ({} fault), {} before its renew deadline", identity,
            wait, f.kind().name().toLowerCase(Locale.ROOT), left);
        renewLater(wait);
      }
    }
    lost.forEach(Holder::leaseLost);
  }

  /** Forgets the epoch; the holders to tell (outside the monitor). */
  private List<Holder> loseLocked() {
    epoch = OptionalLong.empty();
    cancelTimer();
    List<Holder> lost = new ArrayList<>(holders);
    holders.clear();
    return lost;
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }
}
