package io.canary.core;

import io.canary.core.spi.RolloutListener;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * One rollout driven by a {@link CanaryRunner}. The controls are asynchronous: each returns a future
 * that completes with the status once the runner applied it, or fails with a {@link CanaryException}
 * that says why the request does not apply now (for example {@code promote()} on a rollout that is
 * not paused).
 */
public interface RolloutHandle {
  RolloutKey key();

  CanarySpec spec();

  /** The latest status (what was last saved). */
  RolloutStatus status();

  /**
   * The rollout as people read it: status, step, set and actual weight, replicas, and a tree of the
   * revisions with their pods (see {@link StatusTree}).
   */
  String describe();

  /** Skips the current pause (or analysis step); the remaining steps still run. */
  CompletableFuture<RolloutStatus> promote();

  /** Skips every remaining step and promotes the new revision. */
  CompletableFuture<RolloutStatus> promoteFully();

  /** Sends all traffic to stable in one write, then removes the canary after the abort delay. */
  CompletableFuture<RolloutStatus> abort();

  /** After an abort, starts the rollout again from its first step. */
  CompletableFuture<RolloutStatus> retry();

  /**
   * Holds a progressing or paused rollout where it stands: no step goes on and no weight changes until
   * {@link #resume()} (background analysis goes on, and can still abort it; {@code abort()} works too).
   */
  CompletableFuture<RolloutStatus> pause();

  /**
   * Rolls a succeeded release back: starts a new release of the same rollout, with the same steps,
   * whose new revision is the one the target ran before this release (as {@code kubectl argo rollouts
   * undo} does). Completes with the new release's handle; fails when this release has not succeeded or
   * the workloads adapter cannot tell the previous revision.
   */
  CompletableFuture<RolloutHandle> undo();

  /** Goes on after {@link #pause()}, with the step it was at (a timed pause keeps the time it had left). */
  CompletableFuture<RolloutStatus> resume();

  /**
   * Waits until the rollout ends (Succeeded, Aborted or Failed) and returns its status. On a
   * {@link io.canary.core.time.VirtualScheduler} the wait advances virtual time, so hours of pauses pass
   * at once; {@code timeout} is then virtual time too.
   *
   * @throws CanaryException when the rollout has not ended within {@code timeout}
   */
  default RolloutStatus await(Duration timeout) {
    return await(s -> s.phase().isTerminal(), timeout);
  }

  /** Waits until {@code condition} holds for the status, as {@link #await(Duration)} does. */
  RolloutStatus await(Predicate<RolloutStatus> condition, Duration timeout);

  /**
   * True while this runner drives the rollout. False once the runner is closed, or while another
   * runner holds the rollout's lock (this one then stands by and takes over if that lock expires).
   */
  boolean isDriving();

  /** Registers a listener for this rollout's events; close the returned handle to remove it. */
  AutoCloseable addListener(RolloutListener listener);
}
