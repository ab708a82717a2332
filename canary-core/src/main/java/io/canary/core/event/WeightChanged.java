package io.canary.core.event;

import io.canary.core.RolloutStatus;
import java.time.Instant;

/** The routing objects now send {@code to} percent of the traffic to the canary. */
public record WeightChanged(RolloutStatus status, Instant time, int from, int to) implements RolloutEvent {
  @Override
  public String message() {
    return "Canary weight " + from + " -> " + to + " (stable " + (100 - to) + ")";
  }
}
