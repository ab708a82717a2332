package io.canary.core.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Real time on a small, fixed pool of daemon threads shared by every rollout of a runner. */
public final class SystemScheduler implements Scheduler, AutoCloseable {
  private final Clock clock;
  private final ScheduledThreadPoolExecutor executor;

  private SystemScheduler(int threads, Clock clock) {
    this.clock = clock;
    AtomicInteger n = new AtomicInteger();
    ThreadFactory tf = r -> {
      Thread t = new Thread(r, "canary-runner-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    this.executor = new ScheduledThreadPoolExecutor(threads, tf);
    this.executor.setRemoveOnCancelPolicy(true);
  }

  /** A scheduler with {@code threads} threads (the number of adapter calls in flight at once). */
  public static SystemScheduler create(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("SystemScheduler threads must be at least 1, was " + threads);
    }
    return new SystemScheduler(threads, Clock.systemUTC());
  }

  /**
   * A scheduler with four threads per core (at least eight): the work on them is mostly waiting for
   * the API server, so a thread per core would leave the cores idle while a thousand rollouts queue.
   */
  public static SystemScheduler create() {
    return create(Math.max(8, 4 * Runtime.getRuntime().availableProcessors()));
  }

  @Override
  public Instant now() {
    return clock.instant();
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    ScheduledFuture<?> f = executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  @Override
  public void execute(Runnable task) {
    executor.execute(task);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
