package io.canary.core;

import java.util.List;
import java.util.Objects;

/**
 * A managed http route placed before the user's routes: requests matching any of {@code matches}
 * follow the normal weights and {@code percent} of them are also mirrored to the canary.
 */
public record MirrorRoute(String name, List<RouteMatch> matches, double percent) {
  public MirrorRoute {
    Objects.requireNonNull(name, "name");
    matches = List.copyOf(matches);
  }
}
