package io.canary.core.internal;

import io.canary.core.DriftPolicy;
import io.canary.core.spi.RouteWeight;
import java.util.List;

/**
 * Owned weights found changed by someone else: the routes as read back from the cluster, the canary
 * weight the rollout last applied, the policy in force, and whether this runner already reported this
 * very drift (the rollout then paused, and a person has moved it on since: the weights are put back
 * without a second report).
 */
public record RoutingDrift(int ownedCanaryWeight, List<RouteWeight> found, DriftPolicy policy, boolean reported) {
  public RoutingDrift {
    found = List.copyOf(found);
  }

  /** The routes whose weights are not the rollout's. */
  public List<RouteWeight> drifted() {
    return drifted(found, ownedCanaryWeight);
  }

  static List<RouteWeight> drifted(List<RouteWeight> weights, int ownedCanaryWeight) {
    return weights.stream()
        .filter(w -> w.canaryWeight() != ownedCanaryWeight || w.stableWeight() != 100 - ownedCanaryWeight)
        .toList();
  }
}
