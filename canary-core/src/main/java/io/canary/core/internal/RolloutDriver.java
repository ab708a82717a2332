package io.canary.core.internal;

import io.canary.core.CanaryException;
import io.canary.core.CanarySpec;
import io.canary.core.Control;
import io.canary.core.PauseReason;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutKey;
import io.canary.core.RolloutOwner;
import io.canary.core.RolloutStatus;
import io.canary.core.event.RolloutEvent;
import io.canary.core.event.RolloutStarted;
import io.canary.core.spi.RolloutListener;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingState;
import io.canary.core.spi.Versioned;
import io.canary.core.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one rollout: decides with {@link RolloutMachine}, has the {@link ActionInterpreter} carry the
 * actions out, and saves and tells each transition through its {@link StatusRecord}. Its work runs in
 * its {@link Mailbox} on the runner's shared scheduler, woken by timers, watch callbacks and controls;
 * its {@link Ownership} keeps it the only driver of the rollout.
 */
public final class RolloutDriver implements RolloutHandle {
  private static final Logger LOG = LoggerFactory.getLogger("io.canary.rollout");
  /** Decisions in one go before the driver yields to other rollouts' tasks. */
  private static final int MAX_DECISIONS_PER_TURN = 64;

  private final RunnerContext ctx;
  private final CanarySpec spec;
  private final RolloutKey key;
  private final StatusRecord record;
  private final Mailbox mailbox;
  private final Ownership lease;
  private final LiveEffects effects;
  private final ActionInterpreter interpreter;
  /** Where analyses and gates run, when not on the scheduler's thread (a virtual clock runs them inline). */
  private final Optional<SlowActions> slow;
  private final AtomicBoolean reconcileQueued = new AtomicBoolean();

  private volatile boolean closed;
  private Scheduler.Cancellable wakeTimer;
  private Instant wakeTimerAt;
  private int consecutiveFailures;
  /** The failed attempts of the call failing now, for the retry policy. */
  private final Attempts callFailures = new Attempts();
  /** The decision whose actions (or whose save) failed last, and the status it was made from; tried again as it was. */
  private FailedDecision failedDecision;

  private record FailedDecision(RolloutStatus from, Decision decision) {}
  /** Since when actions fail without a success between; the roll-back comes after the progress deadline. */
  private Instant failingSince;

  /** The stored status {@code start()} read just before, for the first take-over (a second read would tell no more). */
  private Optional<Versioned<RolloutStatus>> readByStart;

  /**
   * A driver for {@code spec}, from {@code status} (the stored one being resumed, or a fresh one);
   * {@code stored} is what the state store held when {@code start()} read it, taken as the store's truth
   * by the first take-over (its save is a compare-and-set over that version, so a runner that saved
   * since is still seen); later take-overs read the store again.
   */
  public RolloutDriver(RunnerContext ctx, CanarySpec spec, RolloutStatus status, Optional<Versioned<RolloutStatus>> stored) {
    this.readByStart = java.util.Objects.requireNonNull(stored, "stored");
    this.ctx = ctx;
    this.spec = spec;
    this.key = spec.key();
    this.record = new StatusRecord(ctx, spec, status, this::owner);
    this.mailbox = new Mailbox(ctx.scheduler(), this, e -> LOG.error("[{}] unexpected failure", key, e));
    this.lease = new Ownership(ctx, key, mailbox, this::lost);
    this.effects = new LiveEffects(ctx, spec, this::submitReconcile, e -> mailbox.submit(() -> record.tell(List.of(e))));
    this.interpreter = new ActionInterpreter(spec, effects);
    this.slow = ctx.analysisExecutor().map(executor -> new SlowActions(executor, mailbox, effects, interpreter));
  }

  /** Starts driving: takes the rollout (or stands by for it) on the scheduler. */
  public void begin() {
    mailbox.submit(this::takeOver);
  }

  // ------------------------------------------------------------------ the handle

  @Override
  public RolloutKey key() {
    return key;
  }

  @Override
  public CanarySpec spec() {
    return spec;
  }

  @Override
  public RolloutStatus status() {
    return record.status();
  }

  @Override
  public String describe() {
    return effects.describe(record.status());
  }

  @Override
  public CompletableFuture<RolloutStatus> promote() {
    return control(Control.PROMOTE);
  }

  @Override
  public CompletableFuture<RolloutStatus> promoteFully() {
    return control(Control.PROMOTE_FULLY);
  }

  @Override
  public CompletableFuture<RolloutStatus> abort() {
    return control(Control.ABORT);
  }

  @Override
  public CompletableFuture<RolloutStatus> retry() {
    return control(Control.RETRY);
  }

  @Override
  public CompletableFuture<RolloutStatus> pause() {
    return control(Control.PAUSE);
  }

  @Override
  public CompletableFuture<RolloutStatus> resume() {
    return control(Control.RESUME);
  }

  @Override
  public CompletableFuture<RolloutHandle> undo() {
    CompletableFuture<RolloutHandle> result = new CompletableFuture<>();
    mailbox.submit(() -> {
      try {
        result.complete(ctx.restart().apply(Undo.spec(ctx, spec, record.status())));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  @Override
  public boolean isDriving() {
    return lease.held() && !closed;
  }

  @Override
  public AutoCloseable addListener(RolloutListener listener) {
    return record.addListener(listener);
  }

  @Override
  public RolloutStatus await(Predicate<RolloutStatus> condition, Duration timeout) {
    return record.await(condition, timeout);
  }

  /** Stops driving this rollout: timers and watch closed. Nothing in the cluster changes. */
  public synchronized void close() {
    closed = true;
    cancelWakeTimer();
    effects.closeWatch();
    lease.drop();
  }

  /** The owner the next save records: this runner at its lease's epoch, or what the status says while not held. */
  private Optional<RolloutOwner> owner() {
    return lease.owner();
  }

  // ------------------------------------------------------------------ the work

  private CompletableFuture<RolloutStatus> control(Control control) {
    CompletableFuture<RolloutStatus> result = new CompletableFuture<>();
    if (closed) {
      result.completeExceptionally(notDriving(control));
      return result;
    }
    mailbox.submit(() -> {
      try {
        if (!isDriving() && !(record.status().phase().isTerminal() && retake())) {
          result.completeExceptionally(notDriving(control));
          return;
        }
        RolloutStatus next = RolloutMachine.control(spec, record.status(), control, ctx.scheduler().now());
        if (!next.equals(record.status())) {
          LOG.info("[{}] {} requested", key, control.method());
          if (!lease.stillHeld()) {
            lost();
            result.completeExceptionally(notDriving(control));
            return;
          }
          if (!save(next, List.of())) {
            result.completeExceptionally(new CanaryException("Rollout " + key + ": " + control.method()
                + " was not saved: another runner took the rollout over"));
            return;
          }
        }
        reconcile();
        result.complete(record.status());
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  private CanaryException notDriving(Control control) {
    return new CanaryException("Rollout " + key + ": " + control.method() + " cannot be applied by runner '"
        + ctx.identity() + "': " + (closed ? "the runner was closed" : "another runner drives it"));
  }

  private void takeOver() {
    if (closed || lease.held()) {
      return;
    }
    // The store is the truth: another runner may have driven this rollout since it was looked up (the
    // first time, start() has just read it).
    Optional<Versioned<RolloutStatus>> stored;
    try {
      stored = readByStart != null ? readByStart : ctx.store().load(key);
      readByStart = null;
    } catch (RuntimeException e) {
      lease.failed(e);
      lease.retryLater(this::takeOver);
      return;
    }
    if (!lease.take(stored)) {
      // Another runner drives it: stand by and try again when its lease could have run out.
      lease.retryLater(this::takeOver);
      return;
    }
    try {
      String fingerprint = record.status().specFingerprint();
      boolean resuming = stored.isPresent() && stored.get().value().specFingerprint().equals(fingerprint);
      if (resuming) {
        record.adopt(stored.get());
        // Records this runner as the owner (a compare-and-set: of two runners taking it, one lands); an
        // ended rollout is owned by nobody, and its status stays as it was saved.
        if (!record.status().phase().isTerminal() && !save(record.status(), List.of())) {
          return;
        }
      } else {
        if (stored.isPresent() && !stored.get().value().phase().isTerminal()) {
          LOG.error("[{}] another release ({}) of this rollout is under way; this one does not start",
              key, stored.get().value().specFingerprint());
          close();
          return;
        }
        if (!stillClaimed()) {
          return;
        }
        record.replaceNext(stored.map(Versioned::version));
        if (!save(record.status(), List.of())) {
          return;
        }
      }
      record.tell(List.of(new RolloutStarted(record.status(), ctx.scheduler().now(), resuming)));
      if (resuming) {
        carryOn();
      }
      reconcile();
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  /**
   * Claims the target again before a fresh release saves its first status: {@code start()} claimed it,
   * but a claim left without a status for a lease duration may have been taken as stale since. If so,
   * this release does not start, and leaves neither a status nor a lease behind.
   */
  private boolean stillClaimed() {
    try {
      TargetClaim.take(ctx, spec);
      return true;
    } catch (CanaryException e) {
      LOG.error("[{}] this release does not start: {}", key, e.getMessage());
      close();
      return false;
    }
  }

  /** Carries on a stored status as the machine decides: the canary and its watch back, drifted weights put back. */
  private void carryOn() {
    RolloutStatus st = record.status();
    List<List<RouteWeight>> read = new ArrayList<>();
    Decision decision = RolloutMachine.resume(spec, st, () -> {
      read.add(ctx.router().currentWeights(spec));
      return read.get(0);
    }, ctx.driftPolicy(spec), ctx.scheduler().now());
    if (st.revisions().isPresent()) {
      // Saved before the stable was pinned, a status has no routing of its own to assume yet.
      RoutingState inForce = RolloutMachine.routingFor(spec, st);
      interpreter.assumeRouting(inForce);
      effects.assumeRouting(inForce);
    }
    if (st.pauseReason().equals(Optional.of(PauseReason.RoutingDrift)) && !read.isEmpty()) {
      // Paused for this drift by an earlier runner: resume() puts the weights back without a second report.
      effects.reportDrift(new Action.ReportDrift(st.currentWeight(), read.get(0), ctx.driftPolicy(spec)));
    }
    if (!decision.isWait(st)) {
      ActionInterpreter.Outcome outcome = interpreter.run(decision, ctx.scheduler().now());
      save(outcome.next(), outcome.events());
    }
  }

  /**
   * One turn: decides, carries the actions out and saves, until the rollout waits. A save is a
   * transition: it tells at least one event (see {@link Events}). The status is written at most once
   * per transition: decisions that run no action (status-only: a pause begun or ended, a step done,
   * promotion or abort decided) are not saved one by one but together, each telling its events.
   * Two rules keep every save a point a runner taking over can resume from (the kill matrix kills
   * before and after each): actions run only once the status they were decided from is saved (it
   * holds their intent: the next step, promotion, abort), and once a decision's actions ran, the
   * status-only decisions right after them (from the watch caches, no request between) ride with
   * their save, which comes before any other action, wait or yield.
   */
  private void reconcile() {
    reconcileQueued.set(false);
    if (!isDriving()) {
      return;
    }
    Unsaved unsaved = Unsaved.at(record.status());
    // The decision whose actions' outcome {@code unsaved} holds, not saved yet.
    FailedDecision acted = null;
    try {
      for (int i = 0; i < MAX_DECISIONS_PER_TURN; i++) {
        RolloutStatus before = unsaved.status();
        Instant now = ctx.scheduler().now();
        // A decision whose actions (or whose save) failed is tried again as it was while the status is
        // still the one it was made from: its actions may have gone part of the way (a weight written,
        // the status not saved), and deciding afresh from the old status would wait for what they replaced.
        Decision decision;
        try {
          decision = failedDecision != null && unsaved.isEmpty() && failedDecision.from().equals(before)
              ? failedDecision.decision()
              : RolloutMachine.decide(spec, before, effects.observe(before, failingSince != null), now);
        } catch (RuntimeException e) {
          // What the last actions did is saved all the same.
          if (saveTurn(unsaved, acted)) {
            throw e;
          }
          return;
        }
        failedDecision = null;
        boolean waits = decision.isWait(before);
        boolean slowly = !waits && slow.isPresent() && SlowActions.isSlow(decision);
        if (decision.actions().isEmpty() && !waits) {
          unsaved = unsaved.then(interpreter.run(decision, now), now);
          continue;
        }
        if (!unsaved.isEmpty() && !lease.stillHeld()) {
          lost();
          return;
        }
        if (!saveTurn(unsaved, acted)) {
          return;
        }
        unsaved = Unsaved.at(record.status());
        acted = null;
        if (waits) {
          armTimer(decision.wakeAt());
          failuresEnd();
          if (before.phase().isTerminal()) {
            retire();
          }
          return;
        }
        // About to act: the runner lease must still hold at this rollout's epoch (renewed first when due;
        // a wait sends nothing, so watch events and timers that change nothing cost no request).
        if (!lease.stillHeld()) {
          lost();
          return;
        }
        if (slowly) {
          slow.get().run(decision, before, now, record::status, ctx.scheduler()::now, this::verdict);
          return;
        }
        try {
          unsaved = unsaved.then(interpreter.run(decision, now), now);
        } catch (RuntimeException e) {
          failedDecision = new FailedDecision(before, decision);
          throw e;
        }
        acted = new FailedDecision(before, decision);
        if (!isDriving()) {
          saveTurn(unsaved, acted);
          return;
        }
      }
      // A long run of instant transitions: let other rollouts' tasks run, then go on.
      if (saveTurn(unsaved, acted)) {
        submitReconcile();
      }
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  /**
   * Saves the turn's unsaved decisions; a save that fails keeps {@code acted}, the decision whose
   * actions it was to store (none when they were status-only), to be tried again as it was.
   */
  private boolean saveTurn(Unsaved unsaved, FailedDecision acted) {
    boolean saved;
    try {
      saved = save(unsaved);
    } catch (RuntimeException e) {
      failedDecision = acted;
      throw e;
    }
    if (saved && acted != null) {
      // Actions succeeded and their outcome is saved: the failures in a row end here.
      failuresEnd();
    }
    return saved;
  }

  /** The verdict of an analysis or of gates that ran on the analysis executor, folded in. */
  private void verdict(ActionInterpreter.Outcome outcome) {
    if (!isDriving() || !lease.stillHeld()) {
      if (!closed && lease.owner().isPresent()) {
        lost();
      }
      return;
    }
    try {
      if (save(outcome.next(), outcome.events())) {
        reconcile();
      }
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  /** Saves and tells {@code next}; false (and this runner stands by) when another runner saved first. */
  private boolean save(RolloutStatus next, List<RolloutEvent> actionEvents) {
    RolloutStatus before = record.status();
    if (record.save(next, actionEvents)) {
      RolloutMachine.toldGates(spec, before, next).ifPresent(point -> effects.tellGates(new Action.TellGates(point), next));
      return true;
    }
    lost();
    return false;
  }

  /**
   * Saves the turn's unsaved decisions in one write (none when they changed nothing) and tells their
   * events; false (and this runner stands by) when another runner saved first.
   */
  private boolean save(Unsaved unsaved) {
    if (record.saveTelling(unsaved.status(), unsaved.events(spec))) {
      unsaved.gates(spec).forEach(point -> effects.tellGates(new Action.TellGates(point), unsaved.status()));
      return true;
    }
    lost();
    return false;
  }

  /** An action failed: try again later, or roll back (see {@link Failures}); the status says which. */
  private void failed(RuntimeException e) {
    consecutiveFailures++;
    Instant now = ctx.scheduler().now();
    failingSince = failingSince == null ? now : failingSince;
    Faults.Classified classified = ctx.faults().classifyCall(e);
    int callAttempts = callFailures.failed(classified.call());
    Failures.Outcome outcome = Failures.after(ctx, spec, record.status(), e, classified.fault(), callAttempts,
        consecutiveFailures, failingSince, now);
    if (outcome.quiet()) {
      LOG.info("[{}] {}: {} fault, attempt {} failed; trying again in {}: {}", key, StepNumbers.position(record.status()),
          outcome.fault().kind().name().toLowerCase(Locale.ROOT), callAttempts, outcome.retryIn(), outcome.fault().cause());
      armTimer(Optional.of(now.plus(outcome.retryIn())));
      return;
    }
    LOG.warn("[{}] {}: {}", key, StepNumbers.position(record.status()), outcome.status().message().orElse(""), e);
    try {
      FailedDecision retried = failedDecision;
      // A lasting fault is said in the status (a person must see why the rollout stands still), even
      // where that tells no event.
      if (!save(outcome.status(), List.of())) {
        return;
      }
      // The status now says it is trying again; the failed decision is still the one to try.
      failedDecision = retried == null || outcome.rollingBack() ? null : new FailedDecision(record.status(), retried.decision());
    } catch (RuntimeException saveFailure) {
      LOG.warn("[{}] could not save that either: {}", key, saveFailure.toString());
    }
    if (outcome.rollingBack()) {
      failuresEnd();
      submitReconcile();
    } else {
      armTimer(Optional.of(now.plus(outcome.retryIn())));
    }
  }

  /** A run of failed actions ends (they succeeded, the rollout waits, or it rolls back). */
  private void failuresEnd() {
    consecutiveFailures = 0;
    callFailures.reset();
    failingSince = null;
  }

  // ------------------------------------------------------------------ timers and the lease

  private void armTimer(Optional<Instant> at) {
    if (at.isPresent() && at.get().equals(wakeTimerAt) && wakeTimer != null) {
      return;
    }
    cancelWakeTimer();
    if (at.isPresent() && !closed) {
      wakeTimerAt = at.get();
      wakeTimer = ctx.scheduler().scheduleAt(at.get(), this::submitReconcile);
    }
  }

  private void cancelWakeTimer() {
    if (wakeTimer != null) {
      wakeTimer.cancel();
      wakeTimer = null;
      wakeTimerAt = null;
    }
  }

  /**
   * An ended rollout needs no driver: it is let go so that a thousand finished rollouts cost nothing. A
   * control (retry, abort) takes it again first.
   */
  private void retire() {
    if (!lease.held()) {
      return;
    }
    cancelWakeTimer();
    effects.closeWatch();
    lease.drop();
    TargetClaim.release(ctx, spec);
  }

  /**
   * Takes an ended rollout again for a control, with the status as stored now, and claims its target
   * again (another release may hold it since this one ended: the control is then refused).
   */
  private boolean retake() {
    if (closed) {
      return false;
    }
    Optional<Versioned<RolloutStatus>> stored = ctx.store().load(key);
    if (stored.isEmpty() || !stored.get().value().specFingerprint().equals(record.status().specFingerprint())
        || !lease.take(stored)) {
      lease.drop();
      return false;
    }
    try {
      TargetClaim.take(ctx, spec);
    } catch (RuntimeException e) {
      lease.drop();
      throw e;
    }
    record.adopt(stored.get());
    return true;
  }

  /** Another runner has the rollout: stop acting at once and stand by. */
  private void lost() {
    lease.drop();
    cancelWakeTimer();
    effects.closeWatch();
    if (!closed) {
      lease.retryLater(this::takeOver);
    }
  }

  private void submitReconcile() {
    if (reconcileQueued.compareAndSet(false, true)) {
      mailbox.submit(this::reconcile);
    }
  }
}
