package io.canary.testing.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Knows when the system around the virtual clock has gone quiet: no request to the API server and
 * no informer callback running for a short real-time period. Watch events travel over real sockets
 * to informers on other threads; waiting for quiet before the clock moves on makes each run see
 * the same events at the same virtual instants. The wait is bounded, never a sleep: it returns as
 * soon as the quiet period has passed since the last activity.
 */
public final class Quiescence implements Executor, AutoCloseable {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ExecutorService informerThreads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "canary-sim-informer");
    t.setDaemon(true);
    return t;
  });
  private final AtomicInteger running = new AtomicInteger();
  private final long quietNanos;
  private final long maxWaitNanos;
  private long lastActivityNanos = System.nanoTime();
  private long activityCount;
  private long settledAt;

  public Quiescence(java.time.Duration quiet, java.time.Duration maxWait) {
    this.quietNanos = quiet.toNanos();
    this.maxWaitNanos = maxWait.toNanos();
  }

  /** Something happened (a request arrived, a callback started or ended). */
  public void touch() {
    lock.lock();
    try {
      lastActivityNanos = System.nanoTime();
      activityCount++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Informer callbacks of the clients handed to users run here, so that they count as activity. */
  @Override
  public void execute(Runnable task) {
    running.incrementAndGet();
    touch();
    informerThreads.execute(() -> {
      try {
        task.run();
      } finally {
        running.decrementAndGet();
        touch();
      }
    });
  }

  /**
   * Waits until nothing has happened for the quiet period and no callback runs. Returns true when
   * anything happened since the previous call (the caller then looks again for consequences).
   */
  public boolean awaitQuiet() {
    lock.lock();
    try {
      if (activityCount == settledAt && running.get() == 0) {
        return false;
      }
      long deadline = System.nanoTime() + maxWaitNanos;
      while (true) {
        long now = System.nanoTime();
        long quietFor = now - lastActivityNanos;
        if ((quietFor >= quietNanos && running.get() == 0) || now >= deadline) {
          break;
        }
        changed.awaitNanos(Math.max(quietNanos - quietFor, 100_000L));
      }
      settledAt = activityCount;
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    informerThreads.shutdownNow();
    try {
      informerThreads.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
