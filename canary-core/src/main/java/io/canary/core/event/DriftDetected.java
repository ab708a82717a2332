package io.canary.core.event;

import io.canary.core.RolloutStatus;
import io.canary.core.spi.RouteWeight;
import java.time.Instant;
import java.util.List;

/** Someone else changed weights the rollout owns; the runner puts its weights back. */
public record DriftDetected(RolloutStatus status, Instant time, int expectedCanaryWeight, List<RouteWeight> found)
    implements RolloutEvent {
  @Override
  public String message() {
    return "Owned weights changed outside the rollout: expected canary " + expectedCanaryWeight + ", found " + found;
  }

  @Override
  public boolean warning() {
    return true;
  }
}
