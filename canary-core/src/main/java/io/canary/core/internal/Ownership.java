package io.canary.core.internal;

import io.canary.core.RolloutKey;
import io.canary.core.RolloutOwner;
import io.canary.core.RolloutStatus;
import io.canary.core.spi.ApiFault;
import io.canary.core.spi.Versioned;
import io.canary.core.time.Scheduler;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rollout's ownership: this runner drives it while its status records this runner at the epoch
 * of its {@link RunnerLease}, and that lease is held. Taking a rollout needs no request of its own:
 * the stored status is read, its owner judged (nobody, this runner, or a runner whose lease no longer
 * holds at that epoch: the rollout is free), and the next status save, a compare-and-set, records the
 * new owner; of two runners taking one rollout, the one whose save lands first drives it, the other's
 * save is refused and it stands by. An ended rollout is owned by nobody.
 *
 * <p>Fencing: a runner acts on a rollout only while its lease is held at the rollout's epoch (see
 * {@link RunnerLease} for renewal and the renew deadline), and every status save is a compare-and-set
 * over the version this runner last saved or loaded, so a runner whose rollout was taken over cannot
 * save again. Its timers run their work through the rollout's mailbox.
 */
final class Ownership implements RunnerLease.Holder {
  private static final Logger LOG = LoggerFactory.getLogger("io.canary.rollout");

  private final RunnerContext ctx;
  private final RolloutKey key;
  private final Mailbox mailbox;
  private final Runnable onLost;
  private volatile OptionalLong epoch = OptionalLong.empty();
  /** Takes that failed with a fault in a row (0 after an answer, yes or no). */
  private int failedTakes;
  private ApiFault lastTakeFault;
  private Scheduler.Cancellable timer;

  Ownership(RunnerContext ctx, RolloutKey key, Mailbox mailbox, Runnable onLost) {
    this.ctx = ctx;
    this.key = key;
    this.mailbox = mailbox;
    this.onLost = onLost;
  }

  /** True while this runner drives the rollout (no request: the lease as last renewed). */
  boolean held() {
    OptionalLong e = epoch;
    return e.isPresent() && ctx.runnerLease().epoch().equals(e);
  }

  /** The owner the next status save records; empty while not held. */
  Optional<RolloutOwner> owner() {
    OptionalLong e = epoch;
    return e.isPresent() ? Optional.of(new RolloutOwner(ctx.identity(), e.getAsLong())) : Optional.empty();
  }

  /**
   * Takes the rollout, given its stored status (read just before): true when this runner may drive it
   * (its next save records the ownership), false when another runner's lease holds it (stand by) or the
   * runner lease could not be taken.
   */
  boolean take(Optional<Versioned<RolloutStatus>> stored) {
    try {
      // Judged before this runner's own lease is taken: a runner standing by holds no lease for it.
      Optional<RolloutOwner> owner = stored.filter(v -> !v.value().phase().isTerminal()).flatMap(v -> v.value().owner());
      if (owner.isPresent() && ctx.runnerLease().ownerHolds(owner.get())) {
        failedTakes = 0;
        LOG.debug("[{}] driven by {}; standing by", key, owner.get());
        return false;
      }
      OptionalLong e = ctx.runnerLease().hold(this);
      failedTakes = 0;
      if (e.isEmpty()) {
        return false;
      }
      if (owner.isPresent() && !owner.get().runner().equals(ctx.identity())) {
        LOG.info("[{}] taken over from {}, whose lease no longer holds", key, owner.get());
      }
      epoch = e;
      return true;
    } catch (RuntimeException e) {
      failed(e);
      return false;
    }
  }

  /** A read before a take failed: the next try comes after the retry policy's delay. */
  void failed(RuntimeException e) {
    failedTakes++;
    lastTakeFault = ctx.faults().classify(e);
    LOG.warn("[{}] could not take the rollout ({} fault, attempt {}): {}", key,
        lastTakeFault.kind().name().toLowerCase(Locale.ROOT), failedTakes, e.toString());
  }

  /**
   * Before acting: true while the runner lease is still held at this rollout's epoch, renewed first when
   * due (on a virtual clock, a renewal happens here, not on a timer).
   */
  boolean stillHeld() {
    OptionalLong e = epoch;
    if (e.isEmpty()) {
      return false;
    }
    try {
      return ctx.runnerLease().hold(this).equals(e);
    } catch (RuntimeException failure) {
      LOG.warn("[{}] could not take the runner lease again: {}", key, failure.toString());
      return false;
    }
  }

  /**
   * Runs {@code task} through the mailbox: after the retry policy's delay when the last take failed
   * with a fault worth another attempt, else once the lease of the runner that holds the rollout could
   * have run out.
   */
  void retryLater(Runnable task) {
    cancelTimer();
    Duration wait = ctx.leaseDuration();
    if (failedTakes > 0 && lastTakeFault.retryable()) {
      wait = ctx.retryPolicy().delay(failedTakes, lastTakeFault.retryAfter())
          .filter(d -> d.compareTo(ctx.leaseDuration()) < 0)
          .orElse(ctx.leaseDuration());
    }
    timer = ctx.scheduler().schedule(wait, () -> mailbox.submit(task));
  }

  /** This runner stops driving the rollout (it ended, was released, or was lost); no request. */
  void drop() {
    epoch = OptionalLong.empty();
    cancelTimer();
    ctx.runnerLease().release(this);
  }

  @Override
  public void leaseLost() {
    if (epoch.isPresent()) {
      mailbox.submit(() -> {
        if (epoch.isPresent() && !held()) {
          LOG.warn("[{}] the runner lease was lost; this runner stops acting on the rollout", key);
          onLost.run();
        }
      });
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }
}
