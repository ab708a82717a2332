package io.canary.core;

import io.canary.core.analysis.LifecyclePoint;
import java.time.Instant;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * Where the gates of one point stand for the current step: passed, or holding the rollout until
 * {@link #nextAskAt()} with the answer they gave.
 */
@Value.Immutable
public abstract class GateProgress {
  public abstract LifecyclePoint point();

  /** The step the answer is for (the step count for promotion, -1 before the rollout). */
  public abstract int stepIndex();

  public abstract boolean passed();

  public abstract Optional<Instant> nextAskAt();

  /** What the gates said last. */
  @Value.Default
  public String message() {
    return "";
  }

  public static ImmutableGateProgress.Builder builder() {
    return ImmutableGateProgress.builder();
  }
}
