package io.canary.testing.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Knows when the system around the virtual clock has gone quiet: every watch event the server sent
 * to the clients handed out has been handled by them, no informer callback is running, and no
 * request has arrived for a short real-time period. Watch events travel over real sockets to
 * informers on other threads; waiting for quiet before the clock moves on makes each run see the
 * same events at the same virtual instants. The wait is bounded, never a sleep: it ends as soon as
 * those conditions hold, or after the longest settle wait.
 */
public final class Quiescence implements Executor, AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Quiescence.class);
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ExecutorService informerThreads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "canary-sim-informer");
    t.setDaemon(true);
    return t;
  });
  private final AtomicInteger running = new AtomicInteger();
  private final java.util.List<java.util.function.BooleanSupplier> recovering = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Per watch (by the id its client sent): events the server sent to it, and events its client handled. */
  private final java.util.Map<String, long[]> watches = new java.util.concurrent.ConcurrentHashMap<>();
  /** Watches closed on either side: their events in flight will never be handled, and are owed no more. */
  private final java.util.Set<String> closedWatches = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final long quietNanos;
  private final long maxWaitNanos;
  private long lastActivityNanos = System.nanoTime();
  private long activityCount;
  private long settledAt;
  private long waits;
  private long waitedNanos;

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

  /** The server sent a watch event to a client handed out by the simulation. */
  void watchEventSent(String watch) {
    count(watch, 0);
    touch();
  }

  /** Such a client has handled a watch event (its informer callbacks are queued here by now). */
  void watchEventHandled(String watch) {
    count(watch, 1);
    touch();
  }

  /**
   * A watch was closed, by its client or by the server: what was sent to it and not handled never will
   * be, so a settle no longer waits for it (without this, every later settle would wait its longest).
   */
  void watchClosed(String watch) {
    closedWatches.add(watch);
    watches.remove(watch);
    touch();
  }

  private void count(String watch, int which) {
    if (!closedWatches.contains(watch)) {
      long[] counts = watches.computeIfAbsent(watch, w -> new long[2]);
      synchronized (counts) {
        counts[which]++;
      }
    }
  }

  /** Watch events sent and not yet handled, over the open watches. */
  long unhandled() {
    long owed = 0;
    for (long[] counts : watches.values()) {
      synchronized (counts) {
        owed += Math.max(0, counts[0] - counts[1]);
      }
    }
    return owed;
  }

  private boolean idle() {
    return running.get() == 0 && unhandled() == 0 && !recovering();
  }

  /**
   * {@code condition} is true while a client's watches are being established again (after an injected
   * fault): the simulation then holds the clock, as it does for unhandled watch events.
   */
  public void holdWhile(java.util.function.BooleanSupplier condition) {
    recovering.add(condition);
  }

  private boolean recovering() {
    for (java.util.function.BooleanSupplier r : recovering) {
      if (r.getAsBoolean()) {
        return true;
      }
    }
    return false;
  }

  /** Waits (at most the longest settle wait) while a client's watches are being established again. */
  public void awaitWatchesBack() {
    if (recovering.isEmpty() || !recovering()) {
      return;
    }
    touch();
    awaitQuiet();
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
      if (activityCount == settledAt && idle()) {
        return false;
      }
      long began = System.nanoTime();
      long deadline = began + maxWaitNanos;
      while (true) {
        long now = System.nanoTime();
        long quietFor = now - lastActivityNanos;
        if (quietFor >= quietNanos && idle()) {
          break;
        }
        if (now >= deadline) {
          LOG.warn("Settling gave up waiting after {} ms: {} watch events sent and not yet handled, {} callbacks "
              + "running. Virtual time moves on; reactions to them may come at a later virtual instant.",
              maxWaitNanos / 1_000_000, unhandled(), running.get());
          break;
        }
        changed.awaitNanos(Math.max(quietNanos - quietFor, 100_000L));
      }
      settledAt = activityCount;
      waits++;
      waitedNanos += System.nanoTime() - began;
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** How many settles had to wait, and how long they waited in all (real time). */
  public String statistics() {
    lock.lock();
    try {
      return waits + " settles waited " + waitedNanos / 1_000_000 + " ms in all";
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
