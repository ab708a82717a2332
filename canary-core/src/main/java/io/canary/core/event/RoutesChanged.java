package io.canary.core.event;

import io.canary.core.RolloutStatus;
import java.time.Instant;
import java.util.List;

/** The managed header and mirror routes in force changed. */
public record RoutesChanged(RolloutStatus status, Instant time, List<String> headerRoutes, List<String> mirrorRoutes)
    implements RolloutEvent {
  @Override
  public String message() {
    return "Managed routes: header " + headerRoutes + ", mirror " + mirrorRoutes;
  }
}
