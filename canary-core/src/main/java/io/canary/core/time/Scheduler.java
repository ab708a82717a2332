package io.canary.core.time;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;

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

  /** A scheduled task that may still be cancelled. */
  interface Cancellable {
    void cancel();
  }
}
