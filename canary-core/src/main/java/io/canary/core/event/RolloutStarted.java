package io.canary.core.event;

import io.canary.core.RolloutStatus;
import java.time.Instant;

/** A runner started or resumed driving the rollout. */
public record RolloutStarted(RolloutStatus status, Instant time, boolean resumed) implements RolloutEvent {
  @Override
  public String message() {
    return (resumed ? "Resumed" : "Started") + " rollout at step " + Math.min(status.stepIndex() + 1, status.stepCount()) + "/" + status.stepCount()
        + ", canary weight " + status.currentWeight();
  }
}
