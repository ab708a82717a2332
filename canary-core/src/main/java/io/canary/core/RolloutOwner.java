package io.canary.core;

import java.util.Objects;

/**
 * The runner that drives a rollout, recorded with its status: the runner's identity and the epoch of
 * its runner lease when it took the rollout. The ownership holds while that runner's lease is held at
 * that epoch; once the lease has run out (or was given up, or taken again at another epoch), another
 * runner may take the rollout over with a compare-and-set of its status.
 *
 * @param runner the runner's identity ({@code CanaryRunner.Builder.identity})
 * @param epoch the epoch of the runner's lease: a new one each time the runner takes its lease
 */
public record RolloutOwner(String runner, long epoch) {
  public RolloutOwner {
    Objects.requireNonNull(runner, "runner");
  }

  @Override
  public String toString() {
    return runner + " (epoch " + epoch + ")";
  }
}
