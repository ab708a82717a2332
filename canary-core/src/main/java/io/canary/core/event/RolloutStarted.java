package io.canary.core.event;

import io.canary.core.RolloutStatus;
import java.time.Instant;

/** A runner started or resumed driving the rollout. */
public record RolloutStarted(RolloutStatus status, Instant time, boolean resumed) implements RolloutEvent {
  @Override
  public String message() {
    return (resumed ? "Resumed" : "Started") + " rollout at step " + status.stepIndex() + "/" + status.stepCount()
        + ", canary weight " + status.currentWeight();
  }
}
