package io.canary.core;

import java.util.List;
import java.util.Objects;

/**
 * A managed http route placed before the user's routes: requests matching any of {@code matches}
 * go to the canary with {@code canaryWeight} percent (100 sends them all), the rest of them to stable.
 */
public record HeaderRoute(String name, List<RouteMatch> matches, int canaryWeight) {
  public HeaderRoute {
    Objects.requireNonNull(name, "name");
    matches = List.copyOf(matches);
  }
}
