package io.canary.core;

import java.time.Instant;
import java.util.Optional;
import org.immutables.value.Value;

/** Dynamic stable scale: what the rollout asked of the stable revision, and when it may shrink it. */
@Value.Immutable
public abstract class StableScaling {
  /** Stable replicas asked for; empty while the user's count stands. */
  public abstract Optional<Integer> replicas();

  /**
   * The stable replica count weights are measured against while the stable revision is shrunk (its
   * live count then no longer says how many pods all the traffic needs).
   */
  public abstract Optional<Integer> referenceReplicas();

  /** When the stable revision may be shrunk. */
  public abstract Optional<Instant> scaleDownAt();

  public static StableScaling none() {
    return ImmutableStableScaling.builder().build();
  }

  public static ImmutableStableScaling.Builder builder() {
    return ImmutableStableScaling.builder();
  }
}
