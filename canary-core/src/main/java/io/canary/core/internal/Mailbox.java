package io.canary.core.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One rollout's queue of small tasks, run one at a time on the runner's shared executor: a rollout has
 * no thread of its own, and its tasks never run concurrently with each other.
 */
final class Mailbox {
  private final Executor executor;
  private final Object turn;
  private final Consumer<RuntimeException> onUnexpected;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  /**
   * @param turn held while a task runs, so that other entry points of the rollout (close) wait for it
   * @param onUnexpected told of a task that threw
   */
  Mailbox(Executor executor, Object turn, Consumer<RuntimeException> onUnexpected) {
    this.executor = executor;
    this.turn = turn;
    this.onUnexpected = onUnexpected;
  }

  void submit(Runnable task) {
    tasks.add(task);
    if (draining.compareAndSet(false, true)) {
      executor.execute(this::drain);
    }
  }

  private void drain() {
    while (true) {
      Runnable task;
      while ((task = tasks.poll()) != null) {
        synchronized (turn) {
          try {
            task.run();
          } catch (RuntimeException e) {
            onUnexpected.accept(e);
          }
        }
      }
      draining.set(false);
      if (tasks.isEmpty() || !draining.compareAndSet(false, true)) {
        return;
      }
    }
  }
}
