package io.canary.core.event;

import io.canary.core.RolloutStatus;
import java.time.Instant;
import java.util.Optional;

/**
 * Dynamic stable scale: the runner asked for {@code replicas} stable replicas (through the
 * autoscaler's bounds where one sizes the stable workload); empty: the stable revision gets the
 * user's own count (or autoscaler bounds) back.
 */
public record StableScaled(RolloutStatus status, Instant time, Optional<Integer> replicas, String why)
    implements RolloutEvent {
  @Override
  public String message() {
    String to = replicas.map(r -> "Scaled stable to " + r + " replicas").orElse("Gave stable its own scale back");
    return to + (why.isEmpty() ? "" : " (" + why + ")");
  }
}
