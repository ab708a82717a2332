package io.canary.core.internal;

import io.canary.core.AnalysisSpec;
import io.canary.core.spi.CanaryScale;
import io.canary.core.spi.RoutingState;
import java.util.Optional;

/**
 * One side effect the runner carries out for a {@link Decision}, through the SPIs. Every action is
 * idempotent, so a runner that crashed after the action but before saving the status can do it again.
 */
public sealed interface Action {
  /** Create the canary workload (or find it again) and learn the revisions. */
  record EnsureCanary() implements Action {}

  /** Ask for canary pods: pre-scaled for a weight, or fixed by a setCanaryScale step. */
  record ScaleCanary(CanaryScale request, String why) implements Action {}

  /** Dynamic stable scale: shrink the stable revision, or give the user's count back when empty. */
  record ScaleStable(Optional<Integer> replicas, String why) implements Action {}

  /** Make the routing objects carry {@code state}, then tell the workloads the traffic moved. */
  record ApplyRouting(RoutingState state) implements Action {}

  /** Run one evaluation of {@code analysis}; the result is folded in by {@link RolloutMachine#afterAnalysis}. */
  record Evaluate(AnalysisSpec analysis, boolean background) implements Action {}

  /** The stable workload takes the canary's revision. */
  record PromoteStable() implements Action {}

  /** Remove the canary workload and what was created for it; give the user's scaling back. */
  record RemoveCanary() implements Action {}
}
