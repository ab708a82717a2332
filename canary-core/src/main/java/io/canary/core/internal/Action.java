package io.canary.core.internal;

import io.canary.core.AnalysisSpec;
import io.canary.core.DriftPolicy;
import io.canary.core.spi.CanaryScale;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingState;
import java.util.List;
import java.util.Optional;

/**
 * One side effect the runner carries out for a {@link Decision}, through the SPIs. Every action is
 * idempotent, so a runner that crashed after the action but before saving the status can do it again.
 * Actions are interpreted by {@link ActionInterpreter} only, through {@link Visitor}: a new kind of
 * action does not compile until the interpreter handles it.
 */
public sealed interface Action {
  <R> R accept(Visitor<R> visitor);

  /** One method per kind of action. */
  interface Visitor<R> {
    R pinStable(PinStable action);

    R ensureCanary(EnsureCanary action);

    R watchWorkloads(WatchWorkloads action);

    R scaleCanary(ScaleCanary action);

    R scaleStable(ScaleStable action);

    R applyRouting(ApplyRouting action);

    R reportDrift(ReportDrift action);

    R evaluate(Evaluate action);

    R askGates(AskGates action);

    R tellGates(TellGates action);

    R promoteStable(PromoteStable action);

    R removeCanary(RemoveCanary action);
  }

  /**
   * Learn the revisions the release will have, and make the routing carry weight 0 with each side
   * pinned to its revision's labels, before the canary has a pod: no request reaches the canary before
   * its first weight (the stable subset or Service would otherwise select the canary's pods too).
   */
  record PinStable() implements Action {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.pinStable(this);
    }
  }

  /** Create the canary workload (or find it again), learn the revisions and watch the workloads. */
  record EnsureCanary() implements Action {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.ensureCanary(this);
    }
  }

  /** Watch the workloads of revisions already known (a resumed rollout past its steps). */
  record WatchWorkloads() implements Action {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.watchWorkloads(this);
    }
  }

  /** Ask for canary pods: at least so many for a weight, or exactly so many for a setCanaryScale. */
  record ScaleCanary(CanaryScale request, String why) implements Action {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.scaleCanary(this);
    }
  }

  /** Dynamic stable scale: shrink the stable revision, or give the user's count back when empty. */
  record ScaleStable(Optional<Integer> replicas, String why) implements Action {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.scaleStable(this);
    }
  }

  /** Make the routing objects carry {@code state}, then tell the workloads the traffic moved. */
  record ApplyRouting(RoutingState state) implements Action {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.applyRouting(this);
    }
  }

  /** Tell that the owned weights were found changed outside the rollout, and what the policy does about it. */
  record ReportDrift(int expectedCanaryWeight, List<RouteWeight> found, DriftPolicy policy) implements Action {
    public ReportDrift {
      found = List.copyOf(found);
    }

    ReportDrift(int expectedCanaryWeight, List<RouteWeight> found) {
      this(expectedCanaryWeight, found, DriftPolicy.REVERT);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.reportDrift(this);
    }
  }

  /** Run one evaluation of {@code analysis}; the result is folded in by {@link RolloutMachine#afterAnalysis}. */
  record Evaluate(AnalysisSpec analysis, boolean background) implements Action {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.evaluate(this);
    }
  }

  /** Ask the gates of {@code point} for step {@code stepIndex}; folded in by {@link Gates#afterGates}. */
  record AskGates(io.canary.core.analysis.LifecyclePoint point, int stepIndex, int nextWeight) implements Action {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.askGates(this);
    }
  }

  /** Tell the gates of {@code point} (after the rollout, on rollback); their answer changes nothing. */
  record TellGates(io.canary.core.analysis.LifecyclePoint point) implements Action {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.tellGates(this);
    }
  }

  /** The stable workload takes the canary's revision. */
  record PromoteStable() implements Action {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.promoteStable(this);
    }
  }

  /** Remove the canary workload and what was created for it; give the user's scaling back. */
  record RemoveCanary() implements Action {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.removeCanary(this);
    }
  }
}
