package io.canary.core.time;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Virtual time: nothing happens until the test advances the clock, and then every task due runs,
 * in time order, on the caller's thread. Hours of pauses pass in microseconds. Thread-safe: tasks
 * submitted from other threads (watch callbacks) wait in the queue for the next {@link #runDue()}.
 */
public final class VirtualScheduler implements Scheduler {
  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private final AtomicLong sequence = new AtomicLong();
  private Instant now;
  private boolean running;

  public VirtualScheduler(Instant start) {
    this.now = start;
  }

  /** Starts at 2026-01-01T00:00:00Z, so that timelines read the same in every run. */
  public static VirtualScheduler create() {
    return new VirtualScheduler(Instant.parse("2026-01-01T00:00:00Z"));
  }

  @Override
  public synchronized Instant now() {
    return now;
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    Task t;
    synchronized (this) {
      Duration d = delay.isNegative() ? Duration.ZERO : delay;
      t = new Task(now.plus(d), sequence.incrementAndGet(), task);
      queue.add(t);
    }
    return () -> {
      synchronized (VirtualScheduler.this) {
        t.cancelled = true;
        queue.remove(t);
      }
    };
  }

  @Override
  public void execute(Runnable task) {
    schedule(Duration.ZERO, task);
  }

  /** Runs every task due now, including the ones those tasks add for now. Returns how many ran. */
  @Override
  public boolean isVirtual() {
    return true;
  }

  @Override
  public boolean runUntil(java.util.function.BooleanSupplier condition, Duration timeout) {
    Instant deadline = now().plus(timeout);
    runDue();
    while (!condition.getAsBoolean()) {
      java.util.Optional<Instant> next = nextDue();
      if (next.isEmpty() || next.get().isAfter(deadline)) {
        advanceTo(deadline);
        break;
      }
      advanceTo(next.get());
    }
    return condition.getAsBoolean();
  }

  public int runDue() {
    return advanceTo(now());
  }

  /** Moves the clock forward by {@code d}, running every task due on the way, in time order. */
  public int advance(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("VirtualScheduler cannot go back in time: " + d);
    }
    return advanceTo(now().plus(d));
  }

  /** Moves the clock to {@code target}, running every task due on the way. */
  public int advanceTo(Instant target) {
    int ran = 0;
    synchronized (this) {
      if (running) {
        throw new IllegalStateException("VirtualScheduler.advance called from a scheduled task");
      }
      running = true;
    }
    try {
      while (true) {
        Task next;
        synchronized (this) {
          next = queue.peek();
          if (next == null || next.at.isAfter(target)) {
            if (target.isAfter(now)) {
              now = target;
            }
            return ran;
          }
          queue.poll();
          if (next.at.isAfter(now)) {
            now = next.at;
          }
        }
        if (!next.cancelled) {
          next.task.run();
          ran++;
        }
      }
    } finally {
      synchronized (this) {
        running = false;
      }
    }
  }

  /** When the next task is due, if any is queued. */
  public synchronized java.util.Optional<Instant> nextDue() {
    Task t = queue.peek();
    return t == null ? java.util.Optional.empty() : java.util.Optional.of(t.at);
  }

  public synchronized int pending() {
    return queue.size();
  }

  private static final class Task implements Comparable<Task> {
    final Instant at;
    final long seq;
    final Runnable task;
    volatile boolean cancelled;

    Task(Instant at, long seq, Runnable task) {
      this.at = at;
      this.seq = seq;
      this.task = task;
    }

    @Override
    public int compareTo(Task o) {
      int c = at.compareTo(o.at);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
