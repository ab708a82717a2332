package io.canary.core.internal;

import io.canary.core.spi.RevisionState;
import io.canary.core.spi.WorkloadState;

/**
 * What the runner saw of the cluster when it decided: the workloads (from the adapters' watch caches)
 * and, while promoting, whether the stable workload runs the new revision everywhere.
 */
public record Observation(WorkloadState workloads, boolean promotionComplete) {
  public static Observation of(WorkloadState workloads) {
    return new Observation(workloads, false);
  }

  public RevisionState stable() {
    return workloads.stable();
  }

  public RevisionState canary() {
    return workloads.canaryOrAbsent();
  }
}
