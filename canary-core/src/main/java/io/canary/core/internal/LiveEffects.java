package io.canary.core.internal;

import io.canary.core.CanarySpec;
import io.canary.core.Phase;
import io.canary.core.Stage;
import io.canary.core.StatusTree;
import io.canary.core.spi.RevisionState;
import io.canary.core.spi.RoutingConfirmation;
import io.canary.core.spi.WorkloadState;
import io.canary.core.Revisions;
import io.canary.core.RolloutStatus;
import io.canary.core.analysis.LifecycleContext;
import io.canary.core.analysis.LifecyclePoint;
import io.canary.core.event.GateChecked;
import io.canary.core.event.RolloutEvent;
import io.canary.core.spi.AnalysisContext;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.RoutingState;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Actions carried out on the cluster through the runner's adapters; keeps the rollout's workload watch. */
final class LiveEffects implements Effects {
  private static final Logger LOG = LoggerFactory.getLogger("io.canary.rollout");

  private final RunnerContext ctx;
  private final CanarySpec spec;
  private final Runnable onWorkloadChange;
  private AutoCloseable watch;
  private AutoCloseable routingWatch;
  private AutoCloseable driftWatchHandle;
  private final DriftWatch drift;

  private final Consumer<RolloutEvent> tell;

  /**
   * @param onWorkloadChange called from the watches when the workloads or the routing confirmation may have changed
   * @param tell tells an event of the rollout from any thread (through the rollout's mailbox)
   */
  LiveEffects(RunnerContext ctx, CanarySpec spec, Runnable onWorkloadChange, Consumer<RolloutEvent> tell) {
    this.ctx = ctx;
    this.spec = spec;
    this.onWorkloadChange = onWorkloadChange;
    this.tell = tell;
    this.drift = new DriftWatch(ctx.router(), spec);
  }

  @Override
  public Revisions previewRevisions(RolloutStatus next) {
    return ctx.workloads().previewRevisions(spec);
  }

  @Override
  public Revisions ensureCanary(RolloutStatus next) {
    Revisions revisions = ctx.workloads().ensureCanary(spec);
    watchWorkloads(revisions);
    return revisions;
  }

  /** Watches the workloads, and the routing layer's confirmations, until the rollout ends. */
  @Override
  public void watchWorkloads(Revisions revisions) {
    closeWatch();
    watch = ctx.workloads().watch(spec, revisions, onWorkloadChange);
    routingWatch = ctx.router().watchConfirmation(spec, onWorkloadChange);
    try {
      driftWatchHandle = ctx.router().watchRouting(spec, weights -> {
        drift.seen(weights);
        onWorkloadChange.run();
      });
    } catch (RuntimeException e) {
      // Drift watching is a safeguard on top of the rollout: without it the rollout still runs.
      LOG.warn("[{}] the routing objects cannot be watched for drift ({}): weights changed by someone else are"
          + " written over by the next step and reported only by a runner that resumes the rollout", spec.key(), e.toString());
    }
  }

  @Override
  public void scaleCanary(Revisions revisions, Action.ScaleCanary action, RolloutStatus next) {
    ctx.workloads().scaleCanary(spec, revisions, action.request());
  }

  @Override
  public void scaleStable(Revisions revisions, Action.ScaleStable action, RolloutStatus next) {
    ctx.workloads().scaleStable(spec, revisions, action.replicas());
  }

  @Override
  public void applyRouting(RoutingState state, Optional<Revisions> revisions, RolloutStatus next) {
    drift.applying(state);
    ctx.router().apply(spec, state);
    revisions.ifPresent(r -> ctx.workloads().trafficShifted(spec, r, state.canaryWeight()));
  }

  @Override
  public void reportDrift(Action.ReportDrift action) {
    drift.reported(action.found());
  }

  /** The routing a resumed rollout finds in force (the resume put drifted weights back, or reported them). */
  void assumeRouting(RoutingState state) {
    drift.applying(state);
  }

  @Override
  public AnalysisResult evaluate(Action.Evaluate action, RolloutStatus at) {
    Instant now = ctx.scheduler().now();
    return evaluate(action, at, now);
  }

  /** Runs the gate over the interval that ends at {@code now}; a gate that throws gives no verdict. */
  AnalysisResult evaluate(Action.Evaluate action, RolloutStatus at, Instant now) {
    Instant from = now.minus(action.analysis().interval());
    Revisions revisions = at.revisions().orElseThrow(() -> new IllegalStateException(at.key() + " has no revisions yet"));
    AnalysisContext context = new AnalysisContext(spec, revisions, at.currentWeight(), at.stepIndex(), from, now,
        at.attempt(), at.phase());
    try {
      AnalysisResult result = action.analysis().gate().evaluate(context);
      return result == null ? AnalysisResult.inconclusive("the analysis gate returned no result") : result;
    } catch (RuntimeException e) {
      // A gate that throws has not judged the canary: that is no verdict, not a failure of the canary.
      return AnalysisResult.inconclusive("the analysis gate threw " + e);
    }
  }

  @Override
  public AnalysisResult askGates(Action.AskGates action, RolloutStatus at) {
    return Gates.ask(spec, action.point(), context(action.point(), at, action.nextWeight()));
  }

  /** Told gates answer on the analysis executor (a webhook may be slow); the answer comes back as an event. */
  @Override
  public void tellGates(Action.TellGates action, RolloutStatus at) {
    LifecycleContext context = context(action.point(), at, at.currentWeight());
    Runnable ask = () -> {
      AnalysisResult result = Gates.ask(spec, action.point(), context);
      tell.accept(new GateChecked(at, ctx.scheduler().now(), action.point(), result));
    };
    ctx.analysisExecutor().ifPresentOrElse(executor -> executor.execute(ask), ask);
  }

  private LifecycleContext context(LifecyclePoint point, RolloutStatus at, int nextWeight) {
    return new LifecycleContext(point, spec.key(), at.phase(), at.stepIndex(), at.currentWeight(), nextWeight,
        at.revisions(), ctx.scheduler().now());
  }

  @Override
  public void promoteStable(Revisions revisions, RolloutStatus next) {
    ctx.workloads().promote(spec, revisions);
  }

  @Override
  public void removeCanary(Revisions revisions, RolloutStatus next) {
    ctx.workloads().removeCanary(spec, revisions);
    if (next.phase().isTerminal()) {
      closeWatch();
    }
  }

  /**
   * What the rollout's decisions see of the workloads and the routing (from the adapters' watch caches).
   * While actions keep failing, drift is not looked for: a routing write that failed half-way is no drift.
   */
  Observation observe(RolloutStatus st, boolean failing) {
    Optional<Revisions> revisions = st.revisions();
    if (revisions.isEmpty() || st.phase().isTerminal() || st.phase() == Phase.PENDING) {
      return Observation.of(new WorkloadState(RevisionState.absent(spec.target().name()), Optional.empty()));
    }
    WorkloadState state = ctx.workloads().observe(spec, revisions.get());
    boolean promoted = st.phase() == Phase.PROMOTING && st.stage() == Stage.PROMOTE_STABLE
        && ctx.workloads().promotionComplete(spec, revisions.get());
    boolean stepping = st.phase() == Phase.PROGRESSING || st.phase() == Phase.PAUSED;
    RoutingConfirmation routing = stepping
        ? ctx.router().confirmation(spec, RolloutMachine.routingFor(spec, st))
        : RoutingConfirmation.confirmed();
    Optional<RoutingDrift> drifted = stepping && !failing ? drift.observe(ctx.driftPolicy(spec)) : Optional.empty();
    Optional<String> lost = stepping ? ctx.workloads().canaryLost(spec, revisions.get()) : Optional.empty();
    return new Observation(state, promoted, routing, drifted, lost);
  }

  /** The status tree, with the workloads as last seen when they can be observed. */
  String describe(RolloutStatus st) {
    Optional<WorkloadState> workloads = Optional.empty();
    if (st.revisions().isPresent()) {
      try {
        workloads = Optional.of(ctx.workloads().observe(spec, st.revisions().get()));
      } catch (RuntimeException e) {
        LOG.debug("[{}] could not observe the workloads for describe(): {}", spec.key(), e.toString());
      }
    }
    return StatusTree.render(spec, st, workloads);
  }

  void closeWatch() {
    close(watch);
    close(routingWatch);
    close(driftWatchHandle);
    watch = null;
    routingWatch = null;
    driftWatchHandle = null;
  }

  private void close(AutoCloseable closeable) {
    if (closeable != null) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.debug("[{}] closing a watch: {}", spec.key(), e.toString());
      }
    }
  }
}
