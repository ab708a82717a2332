package io.canary.core.spi;

import java.util.Objects;

/**
 * A request for canary replicas and why they are asked for. {@link Intent#PRE_SCALE}: the replicas a
 * traffic weight needs, asked for before the weight moves; where an autoscaler sizes the canary it
 * may keep more, and it decides again once the weight has moved. {@link Intent#FIXED}: a
 * {@code setCanaryScale} step fixed the count; it holds, whatever an autoscaler would decide, until
 * the next request or the end of the rollout.
 */
public record CanaryScale(int replicas, Intent intent) {
  /** Why the replicas are asked for. */
  public enum Intent {
    /** The replicas a weight needs, ready before it moves. */
    PRE_SCALE,
    /** The count a setCanaryScale step fixed. */
    FIXED
  }

  public CanaryScale {
    Objects.requireNonNull(intent, "intent");
    if (replicas < 0) {
      throw new IllegalArgumentException("CanaryScale.replicas must not be negative, was " + replicas);
    }
  }

  /** The replicas a weight needs, asked for before it moves. */
  public static CanaryScale preScale(int replicas) {
    return new CanaryScale(replicas, Intent.PRE_SCALE);
  }

  /** A count a setCanaryScale step fixed. */
  public static CanaryScale fixed(int replicas) {
    return new CanaryScale(replicas, Intent.FIXED);
  }

  public boolean isFixed() {
    return intent == Intent.FIXED;
  }

  @Override
  public String toString() {
    return replicas + (isFixed() ? " fixed" : " pre-scaled");
  }
}
