package io.canary.core.event;

import io.canary.core.RolloutStatus;
import java.time.Instant;

/** The runner asked for {@code replicas} replicas of a revision ({@code revision} is canary or stable). */
public record CanaryScaled(RolloutStatus status, Instant time, String revision, int replicas, String why)
    implements RolloutEvent {
  @Override
  public String reason() {
    return "Scaled";
  }

  @Override
  public String message() {
    return "Scaled " + revision + " to " + replicas + " replicas" + (why.isEmpty() ? "" : " (" + why + ")");
  }
}
