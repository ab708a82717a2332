package io.canary.core.spi;

import io.canary.core.HeaderRoute;
import io.canary.core.MirrorRoute;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.immutables.value.Value;

/**
 * Everything a {@link TrafficRouter} owns, as it should be after one change. The router makes the
 * routing objects carry exactly this, touching nothing else, with one write per object that changes.
 */
@Value.Immutable
public abstract class RoutingState {
  /** Percent of the traffic of every managed route that goes to the canary; stable gets the rest. */
  public abstract int canaryWeight();

  /** Labels added to the stable subset's labels (subset strategy) or the stable Service's selector. */
  public abstract Map<String, String> stableLabels();

  /** Labels added to the canary subset's labels or the canary Service's selector. */
  public abstract Map<String, String> canaryLabels();

  /**
   * Label keys the router owns on subsets and selectors: a key listed here but absent from the maps
   * above is removed, so that releasing a rollout gives the user's labels back.
   */
  public abstract Set<String> managedLabelKeys();

  /** Managed header routes in force, in order, placed before the user's routes. */
  public abstract List<HeaderRoute> headerRoutes();

  /** Managed mirror routes in force, placed before the user's routes and after the header routes. */
  public abstract List<MirrorRoute> mirrorRoutes();

  public static ImmutableRoutingState.Builder builder() {
    return ImmutableRoutingState.builder();
  }

  public static ImmutableRoutingState copyOf(RoutingState state) {
    return ImmutableRoutingState.copyOf(state);
  }
}
