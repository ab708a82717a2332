package io.canary.core;

import java.time.Duration;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * How replica counts follow the traffic. Pre-scaling (on by default) gives the canary the replicas
 * a weight needs, ready, before the weight moves. Dynamic stable scale (off by default) shrinks the
 * stable revision toward what its remaining traffic needs, after the weights moved and
 * {@code stableScaleDownDelay} passed. {@code canaryAutoscaler} is the autoscaler released with the
 * new revision, when it differs from the stable revision's.
 */
@Value.Immutable
public abstract class ScalingOptions {
  @Value.Default
  public boolean preScale() {
    return true;
  }

  /** The most canary replicas pre-scaling asks for. */
  public abstract Optional<Integer> preScaleCap();

  @Value.Default
  public boolean dynamicStableScale() {
    return false;
  }

  @Value.Default
  public Duration stableScaleDownDelay() {
    return Duration.ofSeconds(30);
  }

  /**
   * The autoscaler released with the new revision (canary-hpa: {@code HpaSettings.of(spec)}): it
   * sizes the canary and is carried to the stable revision at promotion. Empty: the canary's
   * autoscaler is a copy of the stable one's, and promotion leaves the stable one as the user has it.
   */
  public abstract Optional<CanaryAutoscaler> canaryAutoscaler();

  public static ScalingOptions defaults() {
    return ImmutableScalingOptions.builder().build();
  }

  public static ImmutableScalingOptions.Builder builder() {
    return ImmutableScalingOptions.builder();
  }
}
