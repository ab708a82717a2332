package io.canary.core.time;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * The clock and the timers of a runner, shared by all its rollouts: real time ({@link
 * SystemScheduler}) or virtual time ({@link VirtualScheduler}). Nothing in the SDK sleeps.
 */
public interface Scheduler extends Executor {
  Instant now();

  /** Runs {@code task} once {@code delay} has passed on this scheduler's clock. */
  Cancellable schedule(Duration delay, Runnable task);

  /** Runs {@code task} at {@code time} (at once if it is past). */
  default Cancellable scheduleAt(Instant time, Runnable task) {
    Duration d = Duration.between(now(), time);
    return schedule(d.isNegative() ? Duration.ZERO : d, task);
  }

  /** Runs {@code task} soon, on one of the scheduler's threads. */
  @Override
  void execute(Runnable task);

  /**
   * True when time moves only when a caller moves it (a virtual clock): then a caller that waits for
   * something moves time itself ({@link #runUntil}), and work runs on the caller's thread.
   */
  default boolean isVirtual() {
    return false;
  }

  /**
   * On a virtual clock, runs timers in time order until {@code condition} holds or {@code timeout} of
   * virtual time has passed, and returns whether it holds. A real clock cannot be moved: it returns
   * {@code condition}'s value at once, and the caller waits in real time.
   */
  default boolean runUntil(BooleanSupplier condition, Duration timeout) {
    return condition.getAsBoolean();
  }

  /** A scheduled task that may still be cancelled. */
  interface Cancellable {
    void cancel();
  }
}
