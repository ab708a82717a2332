package io.canary.core;

import org.immutables.value.Value;

/**
 * A stable and a canary Service, whose selectors get each revision's pod labels added; the routes
 * weigh the two Services.
 */
@Value.Immutable
public abstract class ServiceStrategy implements TrafficStrategy {
  public abstract String stableService();

  public abstract String canaryService();

  public static ImmutableServiceStrategy.Builder builder() {
    return ImmutableServiceStrategy.builder();
  }
}
