package io.canary.core.internal;

import java.util.Optional;
import io.canary.core.CanarySpec;
import io.canary.core.HeaderRoute;
import io.canary.core.MirrorRoute;
import io.canary.core.Revisions;
import io.canary.core.RolloutStatus;
import io.canary.core.event.AnalysisEvaluated;
import io.canary.core.event.CanaryScaled;
import io.canary.core.event.DriftDetected;
import io.canary.core.event.GateChecked;
import io.canary.core.event.RolloutEvent;
import io.canary.core.event.RoutesChanged;
import io.canary.core.event.StableScaled;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.RoutingState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The one interpreter of {@link Action}s, for the live run and the dry run alike: it carries each
 * action out through {@link Effects}, folds what the action learnt into the status (revisions,
 * analysis verdicts) and collects the events the actions tell. Exhaustive by construction: it is the
 * {@link Action.Visitor}.
 */
final class ActionInterpreter {
  private final CanarySpec spec;
  private final Effects effects;
  /** The managed routes the routing objects carry, so that a change of them is told once. */
  private List<String> routesInForce = List.of();

  ActionInterpreter(CanarySpec spec, Effects effects) {
    this.spec = spec;
    this.effects = effects;
  }

  /** What the routing objects carry already (a resumed rollout): no event for routes already in force. */
  void assumeRouting(RoutingState state) {
    routesInForce = routeNames(state);
  }

  /** Carries out {@code decision}'s actions in order; the status to save and the events they told. */
  Outcome run(Decision decision, Instant now) {
    Run run = new Run(decision.next(), now);
    for (Action action : decision.actions()) {
      action.accept(run);
    }
    return new Outcome(run.next, run.events);
  }

  /** Folds an analysis verdict, found here or on the analysis executor, into {@code st}. */
  Outcome foldAnalysis(RolloutStatus st, Action.Evaluate action, AnalysisResult result, Instant now) {
    RolloutStatus next = RolloutMachine.afterAnalysis(spec, st, action.analysis(), action.background(), result, now);
    return new Outcome(next, List.of(new AnalysisEvaluated(next, now, action.analysis().name(), action.background(), result)));
  }

  /** Folds the gates' answer, found here or on the analysis executor, into {@code st}. */
  Outcome foldGates(RolloutStatus st, Action.AskGates action, AnalysisResult result, Instant now) {
    RolloutStatus next = Gates.afterGates(spec, st, action, result, now);
    return new Outcome(next, List.of(new GateChecked(next, now, action.point(), result)));
  }

  /** The status after the actions, and the events they told (transition events come from {@link Events}). */
  record Outcome(RolloutStatus next, List<RolloutEvent> events) {}

  private final class Run implements Action.Visitor<Void> {
    private RolloutStatus next;
    private final Instant now;
    private final List<RolloutEvent> events = new ArrayList<>();

    Run(RolloutStatus next, Instant now) {
      this.next = next;
      this.now = now;
    }

    @Override
    public Void pinStable(Action.PinStable action) {
      next = RolloutMachine.withRevisions(next, effects.previewRevisions(next));
      // No canary yet: the workloads have no traffic shift to hear of.
      effects.applyRouting(RolloutMachine.pinned(next), Optional.empty(), next);
      return null;
    }

    @Override
    public Void ensureCanary(Action.EnsureCanary action) {
      next = RolloutMachine.withRevisions(next, effects.ensureCanary(next));
      return null;
    }

    @Override
    public Void watchWorkloads(Action.WatchWorkloads action) {
      effects.watchWorkloads(revisions());
      return null;
    }

    @Override
    public Void scaleCanary(Action.ScaleCanary action) {
      effects.scaleCanary(revisions(), action, next);
      events.add(new CanaryScaled(next, now, action.request(), action.why()));
      return null;
    }

    @Override
    public Void scaleStable(Action.ScaleStable action) {
      effects.scaleStable(revisions(), action, next);
      events.add(new StableScaled(next, now, action.replicas(), action.why()));
      return null;
    }

    @Override
    public Void applyRouting(Action.ApplyRouting action) {
      RoutingState state = action.state();
      effects.applyRouting(state, next.revisions(), next);
      List<String> names = routeNames(state);
      if (!names.equals(routesInForce)) {
        routesInForce = names;
        events.add(new RoutesChanged(next, now,
            state.headerRoutes().stream().map(HeaderRoute::name).toList(),
            state.mirrorRoutes().stream().map(MirrorRoute::name).toList()));
      }
      return null;
    }

    @Override
    public Void reportDrift(Action.ReportDrift action) {
      effects.reportDrift(action);
      events.add(new DriftDetected(next, now, action.expectedCanaryWeight(), action.found(), action.policy()));
      return null;
    }

    @Override
    public Void evaluate(Action.Evaluate action) {
      Outcome folded = foldAnalysis(next, action, effects.evaluate(action, next), now);
      next = folded.next();
      events.addAll(folded.events());
      return null;
    }

    @Override
    public Void askGates(Action.AskGates action) {
      AnalysisResult result = effects.askGates(action, next);
      Outcome folded = foldGates(next, action, result, now);
      next = folded.next();
      events.addAll(folded.events());
      return null;
    }

    @Override
    public Void tellGates(Action.TellGates action) {
      effects.tellGates(action, next);
      return null;
    }

    @Override
    public Void promoteStable(Action.PromoteStable action) {
      effects.promoteStable(revisions(), next);
      return null;
    }

    @Override
    public Void removeCanary(Action.RemoveCanary action) {
      effects.removeCanary(revisions(), next);
      return null;
    }

    private Revisions revisions() {
      return next.revisions().orElseThrow(() -> new IllegalStateException(next.key() + " has no revisions yet"));
    }
  }

  private static List<String> routeNames(RoutingState state) {
    List<String> names = new ArrayList<>();
    state.headerRoutes().forEach(h -> names.add("header:" + h.name()));
    state.mirrorRoutes().forEach(m -> names.add("mirror:" + m.name()));
    return names;
  }
}
