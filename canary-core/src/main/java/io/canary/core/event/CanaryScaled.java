package io.canary.core.event;

import io.canary.core.RolloutStatus;
import io.canary.core.spi.CanaryScale;
import java.time.Instant;

/**
 * The runner asked for canary replicas: pre-scaled for a weight, or fixed by a setCanaryScale step
 * ({@link CanaryScale#intent()}). The stable side's are {@link StableScaled}.
 */
public record CanaryScaled(RolloutStatus status, Instant time, CanaryScale request, String why)
    implements RolloutEvent {
  /** The replicas asked for. */
  public int replicas() {
    return request.replicas();
  }

  @Override
  public String message() {
    // A pre-scale asks for at least so many: an autoscaler may already run more (its minimum), and keeps them.
    String replicas = request.replicas() == 1 ? " replica" : " replicas";
    String to = request.isFixed() ? "Fixed canary at " + request.replicas() + replicas
        : "Asked for at least " + request.replicas() + " canary" + replicas;
    return to + (why.isEmpty() ? "" : " (" + why + ")");
  }
}
