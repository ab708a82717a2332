package io.canary.core;

import java.time.Instant;
import java.util.Objects;

/**
 * A condition of the rollout, as in Kubernetes status: a type, whether it holds, a machine-readable
 * reason and a message for people.
 */
public record Condition(String type, boolean status, String reason, String message, Instant lastTransitionTime) {
  public static final String PROGRESSING = "Progressing";
  public static final String AVAILABLE = "Available";
  public static final String PAUSED = "Paused";
  public static final String ABORTED = "Aborted";
  public static final String COMPLETED = "Completed";

  public Condition {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(lastTransitionTime, "lastTransitionTime");
  }
}
