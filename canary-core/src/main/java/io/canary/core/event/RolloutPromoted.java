package io.canary.core.event;

import io.canary.core.RolloutStatus;
import java.time.Instant;

/** The new revision is stable and takes all the traffic. */
public record RolloutPromoted(RolloutStatus status, Instant time) implements RolloutEvent {
  @Override
  public String message() {
    return "Promoted: " + status.stableRevision().map(Object::toString).orElse("new revision") + " is stable";
  }
}
