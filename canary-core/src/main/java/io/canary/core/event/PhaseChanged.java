package io.canary.core.event;

import io.canary.core.Phase;
import io.canary.core.RolloutStatus;
import java.time.Instant;

/** The rollout moved from one phase to another. */
public record PhaseChanged(RolloutStatus status, Instant time, Phase from, Phase to, String why) implements RolloutEvent {
  @Override
  public String message() {
    return "Phase " + from.displayName() + " -> " + to.displayName() + (why.isEmpty() ? "" : ": " + why);
  }
}
