package io.canary.core.event;

import io.canary.core.RolloutStatus;
import java.time.Instant;

/** All traffic went back to stable; {@code completed} once the canary is removed too. */
public record RolloutAborted(RolloutStatus status, Instant time, String why, boolean completed) implements RolloutEvent {
  @Override
  public String message() {
    return (completed ? "Aborted, canary removed: " : "Aborting, all traffic on stable: ") + why;
  }

  @Override
  public boolean warning() {
    return true;
  }
}
