package io.canary.core.internal;

import io.canary.core.spi.RevisionState;
import io.canary.core.spi.RoutingConfirmation;
import io.canary.core.spi.WorkloadState;

/**
 * What the runner saw of the cluster when it decided: the workloads (from the adapters' watch caches),
 * while promoting whether the stable workload runs the new revision everywhere, and whether the
 * routing layer has taken up the routing the status says is in force.
 */
public record Observation(WorkloadState workloads, boolean promotionComplete, RoutingConfirmation routing) {
  public static Observation of(WorkloadState workloads) {
    return new Observation(workloads, false, RoutingConfirmation.confirmed());
  }

  public Observation(WorkloadState workloads, boolean promotionComplete) {
    this(workloads, promotionComplete, RoutingConfirmation.confirmed());
  }

  public RevisionState stable() {
    return workloads.stable();
  }

  public RevisionState canary() {
    return workloads.canaryOrAbsent();
  }
}
