package io.canary.core.internal;

import io.canary.core.CanaryException;
import io.canary.core.CanarySpec;
import io.canary.core.CanaryValidationException;
import io.canary.core.ConflictException;
import io.canary.core.Control;
import io.canary.core.HeaderRoute;
import io.canary.core.MirrorRoute;
import io.canary.core.Phase;
import io.canary.core.Revisions;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutKey;
import io.canary.core.RolloutStatus;
import io.canary.core.Stage;
import io.canary.core.StatusTree;
import io.canary.core.event.AnalysisEvaluated;
import io.canary.core.event.CanaryScaled;
import io.canary.core.event.DriftDetected;
import io.canary.core.event.RolloutEvent;
import io.canary.core.event.RolloutStarted;
import io.canary.core.event.RoutesChanged;
import io.canary.core.event.StableScaled;
import io.canary.core.spi.AnalysisContext;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.RevisionState;
import io.canary.core.spi.RolloutListener;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingState;
import io.canary.core.spi.Versioned;
import io.canary.core.spi.WorkloadState;
import io.canary.core.time.Scheduler;
import io.canary.core.time.VirtualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one rollout: decides with {@link RolloutMachine}, acts through the SPIs, saves the status
 * after every transition and tells the listeners. It owns no thread: its work is a queue of small
 * tasks run one at a time on the runner's shared scheduler, woken by timers, watch callbacks and
 * controls.
 */
public final class RolloutDriver implements RolloutHandle {
  private static final Logger LOG = LoggerFactory.getLogger("io.canary.rollout");
  /** Decisions in one go before the driver yields to other rollouts' tasks. */
  private static final int MAX_DECISIONS_PER_TURN = 64;

  private final RunnerContext ctx;
  private final CanarySpec spec;
  private final RolloutKey key;
  private final List<RolloutListener> listeners = new CopyOnWriteArrayList<>();
  private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean reconcileQueued = new AtomicBoolean();

  private volatile RolloutStatus status;
  private Optional<String> version;
  private volatile boolean driving;
  private volatile boolean closed;
  private Scheduler.Cancellable wakeTimer;
  private Instant wakeTimerAt;
  private Scheduler.Cancellable leaseTimer;
  private AutoCloseable watch;
  private int consecutiveFailures;
  /** True while an analysis gate runs on the analysis executor; the rollout waits for its verdict. */
  private boolean evaluating;
  private List<String> routesInForce = List.of();

  public RolloutDriver(RunnerContext ctx, CanarySpec spec, RolloutStatus status) {
    this.ctx = ctx;
    this.spec = spec;
    this.key = spec.key();
    this.status = status;
    this.version = Optional.empty();
  }

  /** Starts driving: takes the rollout's lock (or stands by for it) on the scheduler. */
  public void begin() {
    submit(this::takeOver);
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
    return status;
  }

  @Override
  public String describe() {
    RolloutStatus st = status;
    Optional<WorkloadState> workloads = Optional.empty();
    if (st.revisions().isPresent()) {
      try {
        workloads = Optional.of(ctx.workloads().observe(spec, st.revisions().get()));
      } catch (RuntimeException e) {
        LOG.debug("[{}] could not observe the workloads for describe(): {}", key, e.toString());
      }
    }
    return StatusTree.render(spec, st, workloads);
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
  public boolean isDriving() {
    return driving && !closed;
  }

  @Override
  public AutoCloseable addListener(RolloutListener listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public RolloutStatus await(Predicate<RolloutStatus> condition, Duration timeout) {
    if (ctx.scheduler() instanceof VirtualScheduler virtual) {
      Instant deadline = virtual.now().plus(timeout);
      virtual.runDue();
      while (!condition.test(status)) {
        Optional<Instant> next = virtual.nextDue();
        if (next.isEmpty() || next.get().isAfter(deadline)) {
          virtual.advanceTo(deadline);
          break;
        }
        virtual.advanceTo(next.get());
      }
      if (condition.test(status)) {
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

  /** Stops driving this rollout: timers and watch closed, lock released. Nothing in the cluster changes. */
  public synchronized void close() {
    closed = true;
    stopActing();
    if (driving) {
      driving = false;
      try {
        ctx.lock().release(key, ctx.identity());
      } catch (RuntimeException e) {
        LOG.warn("[{}] could not release the rollout lock: {}", key, e.toString());
      }
    }
  }

  // ------------------------------------------------------------------ the work

  private CompletableFuture<RolloutStatus> control(Control control) {
    CompletableFuture<RolloutStatus> result = new CompletableFuture<>();
    if (closed) {
      result.completeExceptionally(notDriving(control));
      return result;
    }
    submit(() -> {
      if (!isDriving() && !(status.phase().isTerminal() && retake())) {
        result.completeExceptionally(notDriving(control));
        return;
      }
      try {
        RolloutStatus next = RolloutMachine.control(spec, status, control, ctx.scheduler().now());
        if (!next.equals(status)) {
          LOG.info("[{}] {} requested", key, control.method());
          if (!save(next, List.of())) {
            result.completeExceptionally(new CanaryException("Rollout " + key + ": " + control.method()
                + " was not saved: another runner took the rollout over"));
            return;
          }
        }
        reconcile();
        result.complete(status);
      } catch (CanaryException e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  private CanaryException notDriving(Control control) {
    return new CanaryException("Rollout " + key + ": " + control.method() + " cannot be applied by runner '"
        + ctx.identity() + "': " + (closed ? "the runner was closed" : "another runner holds the rollout's lock"));
  }

  private void takeOver() {
    if (closed || driving) {
      return;
    }
    boolean acquired;
    try {
      acquired = ctx.lock().tryAcquire(key, ctx.identity(), ctx.leaseDuration());
    } catch (RuntimeException e) {
      LOG.warn("[{}] could not take the rollout lock: {}", key, e.toString());
      acquired = false;
    }
    if (!acquired) {
      // Another runner drives it: stand by and try again when its lease could have run out.
      LOG.debug("[{}] driven by another runner; standing by", key);
      leaseTimer = ctx.scheduler().schedule(ctx.leaseDuration(), () -> submit(this::takeOver));
      return;
    }
    driving = true;
    scheduleRenewal();
    try {
      // The store is the truth: another runner may have driven this rollout since it was looked up.
      Optional<Versioned<RolloutStatus>> stored = ctx.store().load(key);
      boolean resuming = stored.isPresent()
          && stored.get().value().specFingerprint().equals(status.specFingerprint());
      if (resuming) {
        status = stored.get().value();
        version = Optional.of(stored.get().version());
      } else {
        if (stored.isPresent() && !stored.get().value().phase().isTerminal()) {
          LOG.error("[{}] another release ({}) of this rollout is under way; this one does not start",
              key, stored.get().value().specFingerprint());
          close();
          return;
        }
        version = stored.map(Versioned::version);
        if (!save(status, List.of())) {
          return;
        }
      }
      emit(List.of(new RolloutStarted(status, ctx.scheduler().now(), resuming)));
      if (resuming) {
        resume();
      }
      reconcile();
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  /** Carries on a stored status: the canary and the watch back, and the weights checked against the status. */
  private void resume() {
    Phase phase = status.phase();
    if (phase.isTerminal() || status.revisions().isEmpty()) {
      return;
    }
    if (phase == Phase.PROGRESSING || phase == Phase.PAUSED) {
      Revisions revisions = ctx.workloads().ensureCanary(spec);
      // What the last runner asked of the canary may not have reached the cluster: ask again (idempotent).
      RolloutStatus refreshed = RolloutMachine.withRevisions(status, revisions).withCanaryReplicasRequested(Optional.empty());
      if (!refreshed.equals(status) && !save(refreshed, List.of())) {
        return;
      }
    }
    if (phase == Phase.PROMOTING && status.stage() == Stage.PROMOTE_STABLE) {
      ctx.workloads().promote(spec, status.revisions().get());
    }
    openWatch(status.revisions().get());
    routesInForce = routeNames(RolloutMachine.routingFor(spec, status));
    if (phase == Phase.PROGRESSING || phase == Phase.PAUSED) {
      List<RouteWeight> found = ctx.router().currentWeights(spec);
      boolean drifted = found.stream().anyMatch(w -> w.canaryWeight() != status.currentWeight());
      if (drifted) {
        emit(List.of(new DriftDetected(status, ctx.scheduler().now(), status.currentWeight(), found)));
        apply(RolloutMachine.routingFor(spec, status), status);
      }
    }
  }

  private void reconcile() {
    reconcileQueued.set(false);
    if (!isDriving()) {
      return;
    }
    try {
      for (int i = 0; i < MAX_DECISIONS_PER_TURN; i++) {
        RolloutStatus before = status;
        Instant now = ctx.scheduler().now();
        Decision decision = RolloutMachine.decide(spec, before, observe(before), now);
        if (decision.isWait(before)) {
          armTimer(decision.wakeAt());
          consecutiveFailures = 0;
          if (before.phase().isTerminal()) {
            retire();
          }
          return;
        }
        if (ctx.analysisExecutor().isPresent() && decision.actions().size() == 1
            && decision.actions().get(0) instanceof Action.Evaluate evaluate) {
          evaluateElsewhere(evaluate, before, now);
          return;
        }
        List<RolloutEvent> actionEvents = new ArrayList<>();
        RolloutStatus next = act(decision, actionEvents, now);
        if (!save(next, actionEvents)) {
          return;
        }
        consecutiveFailures = 0;
        if (!isDriving()) {
          return;
        }
      }
      // A long run of instant transitions: let other rollouts' tasks run, then go on.
      submitReconcile();
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  private RolloutStatus act(Decision decision, List<RolloutEvent> events, Instant now) {
    RolloutStatus next = decision.next();
    for (Action action : decision.actions()) {
      if (action instanceof Action.EnsureCanary) {
        Revisions revisions = ctx.workloads().ensureCanary(spec);
        next = RolloutMachine.withRevisions(next, revisions);
        openWatch(revisions);
      } else if (action instanceof Action.ScaleCanary scale) {
        ctx.workloads().scaleCanary(spec, revisions(next), scale.request());
        events.add(new CanaryScaled(next, now, scale.request(), scale.why()));
      } else if (action instanceof Action.ScaleStable scale) {
        ctx.workloads().scaleStable(spec, revisions(next), scale.replicas());
        events.add(new StableScaled(next, now, scale.replicas(), scale.why()));
      } else if (action instanceof Action.ApplyRouting routing) {
        apply(routing.state(), next);
        List<String> names = routeNames(routing.state());
        if (!names.equals(routesInForce)) {
          routesInForce = names;
          events.add(new RoutesChanged(next, now,
              routing.state().headerRoutes().stream().map(HeaderRoute::name).toList(),
              routing.state().mirrorRoutes().stream().map(MirrorRoute::name).toList()));
        }
      } else if (action instanceof Action.Evaluate evaluate) {
        AnalysisResult result = evaluate(evaluate, next, now);
        next = RolloutMachine.afterAnalysis(spec, next, evaluate.analysis(), evaluate.background(), result, now);
        events.add(new AnalysisEvaluated(next, now, evaluate.analysis().name(), evaluate.background(), result));
      } else if (action instanceof Action.PromoteStable) {
        ctx.workloads().promote(spec, revisions(next));
      } else if (action instanceof Action.RemoveCanary) {
        ctx.workloads().removeCanary(spec, revisions(next));
        if (next.phase().isTerminal()) {
          closeWatch();
        }
      }
    }
    return next;
  }

  /**
   * Runs the gate on the analysis executor, so that a slow metrics backend holds no scheduler thread
   * (the scheduler drives every rollout of the runner); the verdict comes back through the mailbox.
   */
  private void evaluateElsewhere(Action.Evaluate evaluate, RolloutStatus at, Instant now) {
    if (evaluating) {
      return;
    }
    evaluating = true;
    try {
      ctx.analysisExecutor().get().execute(() -> {
        AnalysisResult result = evaluate(evaluate, at, now);
        submit(() -> verdict(evaluate, result));
      });
    } catch (RuntimeException rejected) {
      evaluating = false;
      throw rejected;
    }
  }

  private void verdict(Action.Evaluate evaluate, AnalysisResult result) {
    evaluating = false;
    if (!isDriving()) {
      return;
    }
    try {
      Instant now = ctx.scheduler().now();
      RolloutStatus next = RolloutMachine.afterAnalysis(spec, status, evaluate.analysis(), evaluate.background(), result, now);
      if (save(next, List.of(new AnalysisEvaluated(next, now, evaluate.analysis().name(), evaluate.background(), result)))) {
        reconcile();
      }
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  private void apply(RoutingState state, RolloutStatus st) {
    ctx.router().apply(spec, state);
    st.revisions().ifPresent(r -> ctx.workloads().trafficShifted(spec, r, state.canaryWeight()));
  }

  private AnalysisResult evaluate(Action.Evaluate evaluate, RolloutStatus st, Instant now) {
    Instant from = now.minus(evaluate.analysis().interval());
    AnalysisContext context = new AnalysisContext(spec, revisions(st), st.currentWeight(), st.stepIndex(), from, now);
    try {
      AnalysisResult result = evaluate.analysis().gate().evaluate(context);
      return result == null ? AnalysisResult.inconclusive("the analysis gate returned no result") : result;
    } catch (RuntimeException e) {
      // A gate that throws has not judged the canary: that is no verdict, not a failure of the canary.
      return AnalysisResult.inconclusive("the analysis gate threw " + e);
    }
  }

  private Observation observe(RolloutStatus st) {
    Optional<Revisions> revisions = st.revisions();
    if (revisions.isEmpty() || st.phase().isTerminal() || st.phase() == Phase.PENDING) {
      return Observation.of(
          new WorkloadState(RevisionState.absent(spec.target().name()), Optional.empty()));
    }
    WorkloadState state = ctx.workloads().observe(spec, revisions.get());
    boolean promoted = st.phase() == Phase.PROMOTING && st.stage() == Stage.PROMOTE_STABLE
        && ctx.workloads().promotionComplete(spec, revisions.get());
    return new Observation(state, promoted);
  }

  /** Saves {@code next} (compare-and-set) and tells the listeners; false when another runner wrote first. */
  private boolean save(RolloutStatus next, List<RolloutEvent> actionEvents) {
    RolloutStatus before = status;
    try {
      version = Optional.of(ctx.store().compareAndSet(key, version, next));
    } catch (ConflictException e) {
      LOG.warn("[{}] another runner saved this rollout first; this runner stops driving it: {}", key, e.getMessage());
      lose();
      return false;
    }
    status = next;
    List<RolloutEvent> events = new ArrayList<>(actionEvents);
    events.addAll(Events.between(spec, before, next, ctx.scheduler().now()));
    emit(events);
    for (Waiter w : waiters) {
      w.check(next);
    }
    return true;
  }

  private void failed(RuntimeException e) {
    consecutiveFailures++;
    boolean hopeless = e instanceof CanaryValidationException || consecutiveFailures > ctx.maxActionRetries();
    if (!hopeless) {
      Duration backoff = Duration.ofSeconds(1L << Math.min(consecutiveFailures - 1, 6));
      LOG.warn("[{}] step {}/{}: {} (attempt {}; trying again in {})", key, status.stepIndex() + 1, status.stepCount(),
          e.getMessage(), consecutiveFailures, backoff);
      armTimer(Optional.of(ctx.scheduler().now().plus(backoff)));
      return;
    }
    LOG.error("[{}] giving up after {} attempts", key, consecutiveFailures, e);
    if (!status.phase().isTerminal()) {
      RolloutStatus failed = RolloutMachine.toFailed(status, ctx.scheduler().now(), RolloutMachine.REASON_ACTION_FAILED,
          "could not go on after " + consecutiveFailures + " attempts: " + e.getMessage());
      try {
        save(failed, List.of());
      } catch (RuntimeException saveFailure) {
        LOG.error("[{}] could not save the failure either", key, saveFailure);
      }
    }
  }

  private void emit(List<RolloutEvent> events) {
    for (RolloutEvent event : events) {
      RolloutStatus s = event.status();
      (event.warning() ? LOG.atWarn() : LOG.atInfo()).log("[{}] step {}/{} weight {}: {}: {}", key,
          Math.min(s.stepIndex() + 1, s.stepCount()), s.stepCount(), s.currentWeight(), event.reason(), event.message());
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

  // ------------------------------------------------------------------ timers, watch, lock

  private void armTimer(Optional<Instant> at) {
    if (at.isPresent() && at.get().equals(wakeTimerAt) && wakeTimer != null) {
      return;
    }
    if (wakeTimer != null) {
      wakeTimer.cancel();
      wakeTimer = null;
      wakeTimerAt = null;
    }
    if (at.isPresent() && !closed) {
      wakeTimerAt = at.get();
      wakeTimer = ctx.scheduler().scheduleAt(at.get(), this::submitReconcile);
    }
  }

  private void openWatch(Revisions revisions) {
    closeWatch();
    watch = ctx.workloads().watch(spec, revisions, this::submitReconcile);
  }

  private void closeWatch() {
    if (watch != null) {
      try {
        watch.close();
      } catch (Exception e) {
        LOG.debug("[{}] closing the watch: {}", key, e.toString());
      }
      watch = null;
    }
  }

  private void scheduleRenewal() {
    Duration every = ctx.leaseDuration().dividedBy(3);
    leaseTimer = ctx.scheduler().schedule(every, () -> submit(this::renew));
  }

  private void renew() {
    if (!driving || closed) {
      return;
    }
    boolean kept;
    try {
      kept = ctx.lock().tryAcquire(key, ctx.identity(), ctx.leaseDuration());
    } catch (RuntimeException e) {
      LOG.warn("[{}] could not renew the rollout lock: {}", key, e.toString());
      kept = false;
    }
    if (kept) {
      scheduleRenewal();
    } else {
      LOG.warn("[{}] lost the rollout lock; this runner stops acting on it", key);
      lose();
    }
  }

  /**
   * An ended rollout needs no driver: its lease is given up so that a thousand finished rollouts cost
   * nothing. A control (retry, abort) takes the lease again first.
   */
  private void retire() {
    if (!driving) {
      return;
    }
    driving = false;
    stopActing();
    try {
      ctx.lock().release(key, ctx.identity());
    } catch (RuntimeException e) {
      LOG.warn("[{}] could not release the rollout lock: {}", key, e.toString());
    }
  }

  /** Takes the lease of an ended rollout again for a control, with the status as stored now. */
  private boolean retake() {
    if (closed || !ctx.lock().tryAcquire(key, ctx.identity(), ctx.leaseDuration())) {
      return false;
    }
    Optional<Versioned<RolloutStatus>> stored = ctx.store().load(key);
    if (stored.isEmpty() || !stored.get().value().specFingerprint().equals(status.specFingerprint())) {
      ctx.lock().release(key, ctx.identity());
      return false;
    }
    status = stored.get().value();
    version = Optional.of(stored.get().version());
    driving = true;
    scheduleRenewal();
    return true;
  }

  /** Another runner has the rollout: stop acting at once and stand by. */
  private void lose() {
    driving = false;
    stopActing();
    if (!closed) {
      leaseTimer = ctx.scheduler().schedule(ctx.leaseDuration(), () -> submit(this::takeOver));
    }
  }

  private void stopActing() {
    if (wakeTimer != null) {
      wakeTimer.cancel();
      wakeTimer = null;
      wakeTimerAt = null;
    }
    if (leaseTimer != null) {
      leaseTimer.cancel();
      leaseTimer = null;
    }
    closeWatch();
  }

  // ------------------------------------------------------------------ the mailbox

  private void submitReconcile() {
    if (reconcileQueued.compareAndSet(false, true)) {
      submit(this::reconcile);
    }
  }

  private void submit(Runnable task) {
    mailbox.add(task);
    if (draining.compareAndSet(false, true)) {
      ctx.scheduler().execute(this::drain);
    }
  }

  private void drain() {
    while (true) {
      Runnable task;
      while ((task = mailbox.poll()) != null) {
        synchronized (this) {
          runSafely(task);
        }
      }
      draining.set(false);
      if (mailbox.isEmpty() || !draining.compareAndSet(false, true)) {
        return;
      }
    }
  }

  private void runSafely(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      LOG.error("[{}] unexpected failure", key, e);
    }
  }

  private static Revisions revisions(RolloutStatus st) {
    return st.revisions().orElseThrow(() -> new IllegalStateException(st.key() + " has no revisions yet"));
  }

  private static List<String> routeNames(RoutingState state) {
    List<String> names = new ArrayList<>();
    state.headerRoutes().forEach(h -> names.add("header:" + h.name()));
    state.mirrorRoutes().forEach(m -> names.add("mirror:" + m.name()));
    return names;
  }

  private record Waiter(Predicate<RolloutStatus> condition, CompletableFuture<RolloutStatus> future) {
    void check(RolloutStatus st) {
      if (!future.isDone() && condition.test(st)) {
        future.complete(st);
      }
    }
  }
}
