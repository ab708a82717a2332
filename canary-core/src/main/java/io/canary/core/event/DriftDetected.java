package io.canary.core.event;

import io.canary.core.DriftPolicy;
import io.canary.core.RolloutStatus;
import io.canary.core.spi.RouteWeight;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Someone else changed weights the rollout owns (seen by the router's watch while the steps run, or by a
 * runner that resumes the rollout). {@code found} holds every managed route as read back from the
 * cluster; {@code policy} says what the rollout does: put its weights back, or pause with the weights
 * as found.
 */
public record DriftDetected(RolloutStatus status, Instant time, int expectedCanaryWeight, List<RouteWeight> found,
    DriftPolicy policy) implements RolloutEvent {
  public DriftDetected {
    found = List.copyOf(found);
  }

  /** A drift whose weights are put back. */
  public DriftDetected(RolloutStatus status, Instant time, int expectedCanaryWeight, List<RouteWeight> found) {
    this(status, time, expectedCanaryWeight, found, DriftPolicy.REVERT);
  }

  /** The routes whose weights are not the rollout's (all of {@code found} when none differs). */
  public List<RouteWeight> drifted() {
    List<RouteWeight> drifted = found.stream()
        .filter(w -> w.canaryWeight() != expectedCanaryWeight || w.stableWeight() != 100 - expectedCanaryWeight)
        .toList();
    return drifted.isEmpty() ? found : drifted;
  }

  @Override
  public String message() {
    String routes = drifted().stream()
        .map(w -> w.object() + " " + w.route() + " has stable " + w.stableWeight() + " / canary " + w.canaryWeight())
        .collect(Collectors.joining("; "));
    String outcome = policy == DriftPolicy.PAUSE
        ? "the rollout pauses with the weights as found (resume() puts the rollout's back, abort() sends all traffic to stable)"
        : "the rollout's weights are put back";
    return "Owned weights changed outside the rollout: " + routes + "; the rollout owns stable " + (100 - expectedCanaryWeight)
        + " / canary " + expectedCanaryWeight + " (expected canary " + expectedCanaryWeight + "): " + outcome;
  }

  @Override
  public boolean warning() {
    return true;
  }
}
