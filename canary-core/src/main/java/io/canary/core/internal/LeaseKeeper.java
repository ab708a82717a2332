package io.canary.core.internal;

import io.canary.core.RolloutKey;
import io.canary.core.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one rollout's lease: takes it, renews it every third of its duration, gives it up, and tells
 * the driver at once when a renewal fails (the driver then stops acting). Its timers run their work
 * through the rollout's mailbox.
 */
final class LeaseKeeper {
  private static final Logger LOG = LoggerFactory.getLogger("io.canary.rollout");

  private final RunnerContext ctx;
  private final RolloutKey key;
  private final Mailbox mailbox;
  private final Runnable onLost;
  private boolean held;
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
    boolean acquired;
    try {
      acquired = ctx.lock().tryAcquire(key, ctx.identity(), ctx.leaseDuration());
    } catch (RuntimeException e) {
      LOG.warn("[{}] could not take the rollout lock: {}", key, e.toString());
      acquired = false;
    }
    if (acquired) {
      held = true;
      renewLater();
    }
    return acquired;
  }

  /** Runs {@code task} through the mailbox once the lease another runner holds could have run out. */
  void retryLater(Runnable task) {
    cancelTimer();
    timer = ctx.scheduler().schedule(ctx.leaseDuration(), () -> mailbox.submit(task));
  }

  /** Gives the lease up (a rollout that ended, or a runner that stops). */
  void giveUp() {
    boolean wasHeld = held;
    drop();
    if (wasHeld) {
      try {
        ctx.lock().release(key, ctx.identity());
      } catch (RuntimeException e) {
        LOG.warn("[{}] could not release the rollout lock: {}", key, e.toString());
      }
    }
  }

  /** Forgets the lease without a request (another runner has it now). */
  void drop() {
    held = false;
    cancelTimer();
  }

  private void renewLater() {
    cancelTimer();
    timer = ctx.scheduler().schedule(ctx.leaseDuration().dividedBy(3), () -> mailbox.submit(this::renew));
  }

  private void renew() {
    if (!held) {
      return;
    }
    boolean kept;
    try {
      kept = ctx.lock().tryAcquire(key, ctx.identity(), ctx.leaseDuration());
    } catch (RuntimeException e) {
      LOG.warn("[{}] could not renew the rollout lock: {}", key, e.toString());
      kept = false;
    }
    if (kept) {
      renewLater();
    } else {
      LOG.warn("[{}] lost the rollout lock; this runner stops acting on it", key);
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
