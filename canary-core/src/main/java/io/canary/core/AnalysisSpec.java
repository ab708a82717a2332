package io.canary.core;

import io.canary.core.spi.AnalysisGate;
import java.time.Duration;
import org.immutables.value.Value;

/**
 * How an {@link AnalysisGate} is run: every {@code interval}, until {@code successfulRuns} passes
 * (step analysis) or for as long as the rollout runs (background analysis). More than
 * {@code failureLimit} failures abort the rollout; more than {@code inconclusiveLimit} inconclusive
 * results in a row pause it for a person to decide.
 */
@Value.Immutable
public abstract class AnalysisSpec {
  public abstract String name();

  public abstract AnalysisGate gate();

  @Value.Default
  public Duration interval() {
    return Duration.ofMinutes(1);
  }

  /** Delay before the first evaluation, so the window holds traffic of the new weight. */
  @Value.Default
  public Duration initialDelay() {
    return interval();
  }

  @Value.Default
  public int successfulRuns() {
    return 1;
  }

  @Value.Default
  public int failureLimit() {
    return 0;
  }

  @Value.Default
  public int inconclusiveLimit() {
    return 3;
  }

  public static ImmutableAnalysisSpec.Builder builder() {
    return ImmutableAnalysisSpec.builder();
  }

  public static AnalysisSpec of(String name, AnalysisGate gate) {
    return builder().name(name).gate(gate).build();
  }
}
