package io.canary.core.internal;

import io.canary.core.CanarySpec;
import io.canary.core.Control;
import io.canary.core.Phase;
import io.canary.core.RolloutPlan;
import io.canary.core.RolloutPlan.Kind;
import io.canary.core.RolloutPlan.PlannedChange;
import io.canary.core.RolloutStatus;
import io.canary.core.Revisions;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.RenderedObject;
import io.canary.core.spi.RevisionState;
import io.canary.core.spi.RoutingState;
import io.canary.core.spi.TrafficRouter;
import io.canary.core.spi.WorkloadState;
import io.canary.core.spi.Workloads;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the {@link RolloutMachine} on an imagined cluster where every pod asked for is ready at once,
 * every analysis passes and every pause is promoted, and writes down what the actions would change,
 * through the same {@link ActionInterpreter} as a live run. The routing objects are rendered by the
 * real router; an object a change would leave as it is is named untouched, not written.
 */
public final class DryRun implements Effects {
  private static final int MAX_DECISIONS = 10_000;

  private final CanarySpec spec;
  private final TrafficRouter router;
  private final Revisions revisions;
  private final int stableReplicas;
  private final Instant start;
  private final List<PlannedChange> changes = new ArrayList<>();
  private final Map<String, String> rendered = new HashMap<>();
  private Instant now;
  private String where = "start";
  private int canary;
  private Optional<Integer> stable = Optional.empty();

  private DryRun(CanarySpec spec, TrafficRouter router, Workloads workloads, Instant start) {
    this.spec = spec;
    this.router = router;
    this.revisions = workloads.previewRevisions(spec);
    this.stableReplicas = workloads.observe(spec, revisions).stable().desired();
    this.start = start;
    this.now = start;
    for (RenderedObject o : router.render(spec, RolloutMachine.release(revisions))) {
      rendered.put(o.kind() + " " + o.name(), o.yaml());
    }
  }

  public static RolloutPlan plan(CanarySpec spec, TrafficRouter router, Workloads workloads, Instant start) {
    return new DryRun(spec, router, workloads, start).run();
  }

  private RolloutPlan run() {
    ActionInterpreter interpreter = new ActionInterpreter(spec, this);
    RolloutStatus st = RolloutMachine.initial(spec, SpecFingerprint.of(spec), start);
    for (int i = 0; i < MAX_DECISIONS && !st.phase().isTerminal(); i++) {
      WorkloadState cluster = new WorkloadState(
          ready(revisions.stable().workload(), stable.orElse(stableReplicas)),
          Optional.of(ready(revisions.canary().workload(), canary)));
      Decision d = RolloutMachine.decide(spec, st, new Observation(cluster, true), now);
      where = where(st);
      if (d.isWait(st)) {
        if (st.phase() == Phase.PAUSED && st.timers().pauseUntil().isEmpty()) {
          changes.add(change(Kind.PAUSE, "waits for promote()", st));
          st = RolloutMachine.control(spec, st, Control.PROMOTE, now);
          continue;
        }
        if (d.wakeAt().isEmpty()) {
          changes.add(change(Kind.STUCK, "would wait here with nothing to wake it: " + st.message().orElse(""), st));
          break;
        }
        now = d.wakeAt().get();
        continue;
      }
      RolloutStatus next = interpreter.run(d, now).next();
      if (next.phase() == Phase.PAUSED && st.phase() != Phase.PAUSED) {
        changes.add(change(Kind.PAUSE, next.message().orElse("paused"), next));
      }
      RolloutStatus told = next;
      RolloutMachine.toldGates(spec, st, next).ifPresent(point -> tellGates(new Action.TellGates(point), told));
      st = next;
    }
    return new RolloutPlan(spec.key(), changes);
  }

  @Override
  public Revisions previewRevisions(RolloutStatus next) {
    return revisions;
  }

  @Override
  public Revisions ensureCanary(RolloutStatus next) {
    changes.add(change(Kind.CREATE_CANARY, "canary workload " + revisions.canary().workload() + " at revision "
        + revisions.canary().hash() + " (stable " + revisions.stable().workload() + ", " + stableReplicas + " replicas)", next));
    return revisions;
  }

  @Override
  public void watchWorkloads(Revisions revisions) {}

  @Override
  public void scaleCanary(Revisions revisions, Action.ScaleCanary action, RolloutStatus next) {
    canary = action.request().replicas();
    changes.add(new PlannedChange(Kind.SCALE_CANARY, after(), where, (action.request().isFixed() ? "canary fixed at " : "canary asked for at least ") + canary
        + (canary == 1 ? " replica (" : " replicas (")
        + action.why() + ")", next.currentWeight(), Optional.of(canary)));
  }

  @Override
  public void scaleStable(Revisions revisions, Action.ScaleStable action, RolloutStatus next) {
    stable = action.replicas();
    changes.add(change(Kind.SCALE_STABLE, "stable scaled to " + action.replicas().map(String::valueOf)
        .orElse("the user's count") + " (" + action.why() + ")", next));
  }

  @Override
  public void applyRouting(RoutingState state, Optional<Revisions> revisions, RolloutStatus next) {
    int w = state.canaryWeight();
    List<RenderedObject> written = new ArrayList<>();
    List<String> untouched = new ArrayList<>();
    for (RenderedObject o : router.render(spec, state)) {
      String name = o.kind() + " " + o.name();
      if (o.yaml().equals(rendered.put(name, o.yaml()))) {
        untouched.add(name);
      } else {
        written.add(o);
      }
    }
    changes.add(new PlannedChange(Kind.ROUTING, after(), where, "route " + (100 - w) + "% stable / " + w + "% canary"
        + (state.headerRoutes().isEmpty() ? "" : ", header routes " + state.headerRoutes().stream().map(h -> h.name()).toList())
        + (state.mirrorRoutes().isEmpty() ? "" : ", mirror routes " + state.mirrorRoutes().stream().map(m -> m.name()).toList()),
        w, Optional.empty(), written, untouched));
  }

  @Override
  public AnalysisResult evaluate(Action.Evaluate action, RolloutStatus at) {
    if (!action.background()) {
      changes.add(change(Kind.ANALYSIS, "analysis '" + action.analysis().name() + "' (assumed to pass)", at));
    }
    return AnalysisResult.pass("assumed to pass in the dry run");
  }

  @Override
  public AnalysisResult askGates(Action.AskGates action, RolloutStatus at) {
    changes.add(change(Kind.GATE, "gates " + action.point().flaggerName() + " asked (assumed to pass)", at));
    return AnalysisResult.pass("assumed to pass in the dry run");
  }

  @Override
  public void tellGates(Action.TellGates action, RolloutStatus at) {
    changes.add(change(Kind.GATE, "gates " + action.point().flaggerName() + " told", at));
  }

  @Override
  public void promoteStable(Revisions revisions, RolloutStatus next) {
    changes.add(change(Kind.PROMOTE_STABLE, "stable workload " + revisions.stable().workload() + " takes revision "
        + revisions.canary().hash(), next));
  }

  @Override
  public void removeCanary(Revisions revisions, RolloutStatus next) {
    canary = 0;
    changes.add(change(Kind.REMOVE_CANARY, spec.revision().createsCanaryWorkload()
        ? "canary workload " + revisions.canary().workload() + " removed"
        : revisions.canary().workload() + " is stable; the user's scaling settings are given back", next));
  }

  private Duration after() {
    return Duration.between(start, now);
  }

  private PlannedChange change(Kind kind, String what, RolloutStatus st) {
    return new PlannedChange(kind, after(), where, what, st.currentWeight(), Optional.empty());
  }

  private String where(RolloutStatus st) {
    return switch (st.phase()) {
      case PENDING -> "start";
      case PROMOTING -> "promotion";
      case ABORTING -> "abort";
      default -> StepNumbers.describe(spec, st.stepIndex());
    };
  }

  private static RevisionState ready(String workload, int replicas) {
    return RevisionState.builder().workload(workload).hash("").desired(replicas).current(replicas).updated(replicas)
        .ready(replicas).available(replicas).build();
  }
}
