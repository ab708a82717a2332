package io.canary.core.internal;

import io.canary.core.spi.RevisionState;
import io.canary.core.spi.RoutingConfirmation;
import io.canary.core.spi.WorkloadState;
import java.util.Optional;

/**
 * What the runner saw of the cluster when it decided: the workloads (from the adapters' watch caches),
 * while promoting whether the stable workload runs the new revision everywhere, whether the routing
 * layer has taken up the routing the status says is in force, whether the owned weights were changed
 * by someone else ({@code drift}), and why the canary workload was lost outside the rollout, if it was.
 */
public record Observation(WorkloadState workloads, boolean promotionComplete, RoutingConfirmation routing,
    Optional<RoutingDrift> drift, Optional<String> canaryLost) {
  public static Observation of(WorkloadState workloads) {
    return new Observation(workloads, false, RoutingConfirmation.confirmed());
  }

  public Observation(WorkloadState workloads, boolean promotionComplete) {
    this(workloads, promotionComplete, RoutingConfirmation.confirmed());
  }

  public Observation(WorkloadState workloads, boolean promotionComplete, RoutingConfirmation routing) {
    this(workloads, promotionComplete, routing, Optional.empty(), Optional.empty());
  }

  public RevisionState stable() {
    return workloads.stable();
  }

  public RevisionState canary() {
    return workloads.canaryOrAbsent();
  }
}
