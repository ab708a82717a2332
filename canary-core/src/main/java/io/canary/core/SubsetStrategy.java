package io.canary.core;

import org.immutables.value.Value;

/**
 * One Service selects every revision's pods; a DestinationRule has a stable and a canary subset,
 * whose labels get each revision's pod labels added, and the routes weigh the two subsets.
 */
@Value.Immutable
public abstract class SubsetStrategy implements TrafficStrategy {
  /** The Service the route destinations name (short name or FQDN in the VirtualService). */
  public abstract String service();

  public abstract String destinationRule();

  @Value.Default
  public String stableSubset() {
    return "stable";
  }

  @Value.Default
  public String canarySubset() {
    return "canary";
  }

  public static ImmutableSubsetStrategy.Builder builder() {
    return ImmutableSubsetStrategy.builder();
  }
}
