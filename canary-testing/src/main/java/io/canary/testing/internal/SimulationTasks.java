package io.canary.testing.internal;

import io.canary.core.time.Scheduler.Cancellable;
import io.canary.core.time.VirtualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the simulation runs on the virtual clock besides the code under test: tasks every period,
 * and the reconcile, at the instants the controllers asked to be woken at and once for any number
 * of settle requests queued at the same instant. All of it stops at {@link #close()}.
 */
public final class SimulationTasks {
  private final VirtualScheduler scheduler;
  private final Runnable reconcile;
  private final AtomicBoolean settlePending = new AtomicBoolean();
  private final TreeSet<Instant> wakeUps = new TreeSet<>();
  private final List<Cancellable> timers = new ArrayList<>();
  private volatile boolean closed;

  public SimulationTasks(VirtualScheduler scheduler, Runnable reconcile) {
    this.scheduler = scheduler;
    this.reconcile = reconcile;
  }

  /** Runs {@code task} every {@code period} of virtual time until closed. */
  public void every(Duration period, Runnable task) {
    Cancellable[] next = new Cancellable[1];
    Runnable[] self = new Runnable[1];
    self[0] = () -> {
      if (closed) {
        return;
      }
      task.run();
      next[0] = scheduler.schedule(period, self[0]);
    };
    next[0] = scheduler.schedule(period, self[0]);
    timers.add(() -> next[0].cancel());
  }

  /** Queues a reconcile at the current virtual instant, unless one is queued already; any thread may ask. */
  public void requestSettle() {
    if (!closed && settlePending.compareAndSet(false, true)) {
      scheduler.execute(() -> {
        settlePending.set(false);
        reconcile.run();
      });
    }
  }

  /** Reconciles at {@code at}, once however many controllers ask for that instant. */
  public void wakeUpAt(Instant at) {
    if (wakeUps.add(at)) {
      scheduler.scheduleAt(at, () -> {
        wakeUps.remove(at);
        reconcile.run();
      });
    }
  }

  public boolean isClosed() {
    return closed;
  }

  public void close() {
    closed = true;
    timers.forEach(Cancellable::cancel);
  }
}
