package io.canary.core;

import java.util.Optional;
import org.immutables.value.Value;

/** Where a rollout is in its steps, and the weights and canary replicas of that point. */
@Value.Immutable
public abstract class StepProgress {
  /** The step being worked on, counted from 0; equal to {@link #count()} once all are done. */
  @Value.Default
  public int index() {
    return 0;
  }

  /** The number of steps in the spec. */
  @Value.Default
  public int count() {
    return 0;
  }

  /** The canary weight the routing objects carry now. */
  @Value.Default
  public int currentWeight() {
    return 0;
  }

  /** The canary weight the current step wants. */
  @Value.Default
  public int desiredWeight() {
    return 0;
  }

  /** The canary replicas last asked of the workloads, so a request is not repeated while it is pending. */
  public abstract Optional<Integer> canaryReplicasRequested();

  public static StepProgress of(int count) {
    return ImmutableStepProgress.builder().count(count).build();
  }

  public static ImmutableStepProgress.Builder builder() {
    return ImmutableStepProgress.builder();
  }
}
