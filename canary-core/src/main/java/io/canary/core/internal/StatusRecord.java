package io.canary.core.internal;

import io.canary.core.CanaryException;
import io.canary.core.CanarySpec;
import io.canary.core.ConflictException;
import io.canary.core.RolloutKey;
import io.canary.core.RolloutOwner;
import io.canary.core.RolloutStatus;
import io.canary.core.event.RolloutEvent;
import io.canary.core.spi.RolloutListener;
import io.canary.core.spi.Versioned;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rollout's status as saved: saves each transition (one compare-and-set, no write when nothing
 * changed; the driver folds the status-only decisions of a turn into one save, see
 * {@link RolloutDriver}), then tells it: the events to the runner's and the handle's listeners, an SLF4J line each,
 * and the callers waiting for a status.
 */
final class StatusRecord {
  private static final Logger LOG = LoggerFactory.getLogger("io.canary.rollout");

  /** Conflicts in a row, each with the stored status still this runner's own, before it steps aside. */
  private static final int MAX_CONFLICT_REAPPLIES = 5;

  private final RunnerContext ctx;
  private final CanarySpec spec;
  private final RolloutKey key;
  private final List<RolloutListener> listeners = new CopyOnWriteArrayList<>();
  private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
  private volatile RolloutStatus status;
  private Optional<String> version = Optional.empty();
  /** True once {@link #status} is what the store holds (saved by this runner, or adopted from the store). */
  private boolean stored;

  /** The runner and epoch each save records as the rollout's owner (empty: keep what the status says). */
  private final Supplier<Optional<RolloutOwner>> owner;

  StatusRecord(RunnerContext ctx, CanarySpec spec, RolloutStatus status, Supplier<Optional<RolloutOwner>> owner) {
    this.ctx = ctx;
    this.spec = spec;
    this.key = spec.key();
    this.status = status;
    this.owner = owner;
  }

  RolloutStatus status() {
    return status;
  }

  /** Takes the stored status as the truth (another runner may have driven the rollout since). */
  void adopt(Versioned<RolloutStatus> stored) {
    status = stored.value();
    version = Optional.of(stored.version());
    this.stored = true;
  }

  /** Takes the version of a stored status of another release, which the next save replaces. */
  void replaceNext(Optional<String> storedVersion) {
    version = storedVersion;
    stored = false;
  }

  AutoCloseable addListener(RolloutListener listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * Saves {@code next} when it differs from the status saved (compare-and-set), then tells the
   * transition and {@code actionEvents}; false when another runner saved first (nothing is told).
   */
  boolean save(RolloutStatus decided, List<RolloutEvent> actionEvents) {
    RolloutStatus next = stamped(decided);
    List<RolloutEvent> events = new ArrayList<>(actionEvents);
    events.addAll(Events.between(spec, status, next, ctx.scheduler().now()));
    return saveTelling(next, events);
  }

  /** {@code decided} with the owner this runner records (its identity and lease epoch), if it drives the rollout. */
  private RolloutStatus stamped(RolloutStatus decided) {
    Optional<RolloutOwner> by = owner.get();
    // An ended rollout is owned by nobody: a status that stays ended keeps the owner that ended it.
    boolean staysEnded = decided.phase().isTerminal() && status.phase().isTerminal();
    return by.isEmpty() || staysEnded || decided.owner().equals(by) ? decided : RolloutStatus.copyOf(decided).withOwner(by);
  }

  /**
   * Saves {@code next} (with this runner recorded as its owner) when it differs from the status saved
   * (one compare-and-set), then tells {@code events}, which the caller derived (the events of every
   * decision folded into this save); false when another runner saved first (nothing is told).
   */
  boolean saveTelling(RolloutStatus decided, List<RolloutEvent> events) {
    RolloutStatus next = stamped(decided);
    if (!stored || !next.equals(status)) {
      if (!compareAndSet(next)) {
        return false;
      }
      status = next;
      stored = true;
    }
    tell(events);
    for (Waiter w : waiters) {
      w.check(next);
    }
    return true;
  }

  /**
   * Stores {@code next} over the version this runner last saved or loaded. A conflict is not taken
   * for another runner's save at once: the stored document is read again, and while it is still the
   * one this runner saved or loaded (same resourceVersion: the conflict came from elsewhere, a proxy or
   * a retried request), the save is applied again; when it already is {@code next} (an earlier attempt
   * landed though its answer was lost), its version is taken. Only a document another runner saved
   * since (or a deleted one) makes this runner step aside (false).
   */
  private boolean compareAndSet(RolloutStatus next) {
    for (int attempt = 1; ; attempt++) {
      try {
        version = Optional.of(ctx.store().compareAndSet(key, version, next));
        return true;
      } catch (ConflictException e) {
        Optional<Versioned<RolloutStatus>> now = ctx.store().load(key);
        if (now.isPresent() && now.get().value().equals(next) && !now.get().version().equals(version.orElse(null))) {
          LOG.info("[{}] the status save had landed although it was answered with a conflict; taking its version", key);
          version = Optional.of(now.get().version());
          return true;
        }
        boolean unchanged = now.map(Versioned::version).equals(version);
        if (!unchanged || attempt >= MAX_CONFLICT_REAPPLIES) {
          LOG.warn("[{}] another runner saved this rollout first; this runner stops driving it: {}", key, e.getMessage());
          return false;
        }
        LOG.info("[{}] the status save was answered with a conflict, yet the stored status is still the one this runner"
            + " {} (version {}); saving again", key, stored ? "saved" : "loaded", version.orElse("none"));
      }
    }
  }

  /** Tells {@code events}: an SLF4J line each, then the listeners. */
  void tell(List<RolloutEvent> events) {
    for (RolloutEvent event : events) {
      RolloutStatus s = event.status();
      (event.warning() ? LOG.atWarn() : LOG.atInfo()).log("[{}] {} weight {}: {}: {}", key,
          StepNumbers.position(s), s.currentWeight(), event.reason(), event.message());
      notify(ctx.listeners(), event);
      notify(listeners, event);
    }
  }

  private void notify(List<RolloutListener> targets, RolloutEvent event) {
    for (RolloutListener l : targets) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        LOG.warn("[{}] a listener failed on {}: {}", key, event.reason(), e.toString());
      }
    }
  }

  /** Waits for a status that meets {@code condition}: on a virtual clock by moving time, else in real time. */
  RolloutStatus await(Predicate<RolloutStatus> condition, Duration timeout) {
    if (ctx.scheduler().isVirtual()) {
      if (ctx.scheduler().runUntil(() -> condition.test(status), timeout)) {
        return status;
      }
      throw new CanaryException("Rollout " + key + " did not get there within " + timeout + " of virtual time; now " + status);
    }
    Waiter waiter = new Waiter(condition, new CompletableFuture<>());
    waiters.add(waiter);
    waiter.check(status);
    try {
      return waiter.future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new CanaryException("Rollout " + key + " did not get there within " + timeout + "; now " + status);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CanaryException("Interrupted while waiting for rollout " + key, e);
    } catch (ExecutionException e) {
      throw new CanaryException("Waiting for rollout " + key + " failed", e.getCause());
    } finally {
      waiters.remove(waiter);
    }
  }

  private record Waiter(Predicate<RolloutStatus> condition, CompletableFuture<RolloutStatus> future) {
    void check(RolloutStatus st) {
      if (!future.isDone() && condition.test(st)) {
        future.complete(st);
      }
    }
  }
}
