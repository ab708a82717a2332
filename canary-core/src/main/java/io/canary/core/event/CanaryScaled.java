package io.canary.core.event;

import io.canary.core.RolloutStatus;
import java.time.Instant;
import java.util.Optional;

/**
 * The runner asked for {@code replicas} replicas of a revision ({@code revision} is canary or stable);
 * empty replicas: the stable revision gets the user's own count (or autoscaler bounds) back.
 */
public record CanaryScaled(RolloutStatus status, Instant time, String revision, Optional<Integer> replicas, String why)
    implements RolloutEvent {
  @Override
  public String reason() {
    return "Scaled";
  }

  @Override
  public String message() {
    String to = replicas.map(r -> "Scaled " + revision + " to " + r + " replicas")
        .orElse("Gave " + revision + " its own scale back");
    return to + (why.isEmpty() ? "" : " (" + why + ")");
  }
}
