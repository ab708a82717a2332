package io.canary.core.event;

import io.canary.core.RolloutStatus;
import java.time.Instant;

/** The rollout could not go on and needs a person. */
public record RolloutFailed(RolloutStatus status, Instant time, String why) implements RolloutEvent {
  @Override
  public String message() {
    return "Failed: " + why;
  }

  @Override
  public boolean warning() {
    return true;
  }
}
