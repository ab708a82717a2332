package io.canary.core;

import java.util.Map;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * One request match (Istio's HTTPMatchRequest): all given conditions must hold. A header route or
 * mirror route with several matches applies when any of them holds.
 */
@Value.Immutable
public abstract class RouteMatch {
  /** Header name (lower case, as Istio requires) to condition; {@code cookie} matches the cookie header. */
  public abstract Map<String, StringMatch> headers();

  public abstract Optional<StringMatch> uri();

  public abstract Optional<StringMatch> method();

  public static RouteMatch header(String name, StringMatch value) {
    return ImmutableRouteMatch.builder().putHeaders(name, value).build();
  }

  public static ImmutableRouteMatch.Builder builder() {
    return ImmutableRouteMatch.builder();
  }
}
