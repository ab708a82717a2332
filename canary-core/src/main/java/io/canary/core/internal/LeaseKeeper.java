package io.canary.core.internal;

import io.canary.core.RolloutKey;
import io.canary.core.spi.ApiFault;
import io.canary.core.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one rollout's lease: takes it, renews it every third of its duration, gives it up, and tells
 * the driver at once when it is lost (the driver then stops acting).
 *
 * <p>A renewal that fails with a fault (the API did not answer, a 5xx, a 429, a conflict) does not
 * lose the lease: it is tried again after the runner's retry policy delay. The lease is lost only when
 * another holder is seen, or when no renewal succeeded for two thirds of the lease duration (the
 * renew deadline: the lease this runner last wrote is still valid for a third of its duration then,
 * so no other runner can have taken it while this one still acted). A take that fails with a fault is
 * tried again after the policy delay too, not a whole lease later. Its timers run their work through
 * the rollout's mailbox.
 */
final class LeaseKeeper {
  private static final Logger LOG = LoggerFactory.getLogger("io.canary.rollout");

  private final RunnerContext ctx;
  private final RolloutKey key;
  private final Mailbox mailbox;
  private final Runnable onLost;
  private boolean held;
  /** When the last take or renewal that succeeded was sent. */
  private Instant renewedAt;
  private int failedRenewals;
  /** Takes that failed with a fault in a row (0 after an answer, yes or no). */
  private int failedTakes;
  private ApiFault lastTakeFault;
  private Scheduler.Cancellable timer;

  LeaseKeeper(RunnerContext ctx, RolloutKey key, Mailbox mailbox, Runnable onLost) {
    this.ctx = ctx;
    this.key = key;
    this.mailbox = mailbox;
    this.onLost = onLost;
  }

  boolean held() {
    return held;
  }

  /** Takes the lease (true), and keeps renewing it until it is given up or lost. */
  boolean take() {
    Instant sentAt = ctx.scheduler().now();
    boolean acquired;
    try {
      acquired = ctx.lock().tryAcquire(key, ctx.identity(), ctx.leaseDuration());
      failedTakes = 0;
    } catch (RuntimeException e) {
      failedTakes++;
      lastTakeFault = ctx.faults().classify(e);
      LOG.warn("[{}] could not take the rollout lock ({} fault, attempt {}): {}", key,
          lastTakeFault.kind().name().toLowerCase(java.util.Locale.ROOT), failedTakes, e.toString());
      acquired = false;
    }
    if (acquired) {
      held = true;
      renewedAt = sentAt;
      failedRenewals = 0;
      renewLater(ctx.leaseDuration().dividedBy(3));
    }
    return acquired;
  }

  /**
   * Runs {@code task} through the mailbox: after the retry policy's delay when the last take failed
   * with a fault worth another attempt, else once the lease another runner holds could have run out.
   */
  void retryLater(Runnable task) {
    cancelTimer();
    Duration wait = ctx.leaseDuration();
    if (failedTakes > 0 && lastTakeFault.retryable()) {
      wait = ctx.retryPolicy().delay(failedTakes, lastTakeFault.retryAfter())
          .filter(d -> d.compareTo(ctx.leaseDuration()) < 0)
          .orElse(ctx.leaseDuration());
    }
    timer = ctx.scheduler().schedule(wait, () -> mailbox.submit(task));
  }

  /** Gives the lease up (a rollout that ended, or a runner that stops). */
  void giveUp() {
    boolean wasHeld = held;
    drop();
    if (wasHeld) {
      try {
        ctx.lock().release(key, ctx.identity());
      } catch (RuntimeException e) {
        LOG.warn("[{}] could not release the rollout lock (it runs out by itself): {}", key, e.toString());
      }
    }
  }

  /** Forgets the lease without a request (another runner has it now). */
  void drop() {
    held = false;
    cancelTimer();
  }

  /** Past this, with no renewal since, the lease counts as lost. */
  private Instant renewDeadline() {
    return renewedAt.plus(ctx.leaseDuration().multipliedBy(2).dividedBy(3));
  }

  private void renewLater(Duration in) {
    cancelTimer();
    timer = ctx.scheduler().schedule(in, () -> mailbox.submit(this::renew));
  }

  private void renew() {
    if (!held) {
      return;
    }
    Instant sentAt = ctx.scheduler().now();
    boolean kept;
    try {
      kept = ctx.lock().tryAcquire(key, ctx.identity(), ctx.leaseDuration());
    } catch (RuntimeException e) {
      failedRenewals++;
      ApiFault fault = ctx.faults().classify(e);
      Duration left = Duration.between(sentAt, renewDeadline());
      if (left.isNegative() || left.isZero()) {
        LOG.warn("[{}] could not renew the rollout lock before its renew deadline ({} attempts): {}; this runner stops"
            + " acting on it", key, failedRenewals, e.toString());
        drop();
        onLost.run();
        return;
      }
      Optional<Duration> policy = fault.retryable() ? ctx.retryPolicy().delay(failedRenewals, fault.retryAfter()) : Optional.empty();
      Duration wait = policy.orElse(ctx.leaseDuration().dividedBy(10));
      if (wait.compareTo(left) > 0) {
        wait = left;
      }
      LOG.info("[{}] could not renew the rollout lock ({} fault, attempt {}); trying again in {}, {} before its renew"
          + " deadline: {}", key, fault.kind().name().toLowerCase(java.util.Locale.ROOT), failedRenewals, wait, left,
          e.toString());
      renewLater(wait);
      return;
    }
    if (kept) {
      renewedAt = sentAt;
      failedRenewals = 0;
      renewLater(ctx.leaseDuration().dividedBy(3));
    } else {
      LOG.warn("[{}] lost the rollout lock to another holder; this runner stops acting on it", key);
      drop();
      onLost.run();
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }
}
