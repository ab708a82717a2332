package io.canary.core.event;

import io.canary.core.RolloutStatus;
import io.canary.core.Step;
import java.time.Instant;

/** The rollout began a step. */
public record StepStarted(RolloutStatus status, Instant time, int stepIndex, Step step) implements RolloutEvent {
  @Override
  public String message() {
    return "Step " + (stepIndex + 1) + "/" + status.stepCount() + ": " + step.describe();
  }
}
