package io.canary.core;

import java.time.Instant;
import java.util.Optional;
import org.immutables.value.Value;

/** The results of one analysis so far (a step's, or the background one) and when it runs next. */
@Value.Immutable
public abstract class AnalysisCounters {
  @Value.Default
  public int passes() {
    return 0;
  }

  @Value.Default
  public int failures() {
    return 0;
  }

  /** Inconclusive results in a row. */
  @Value.Default
  public int inconclusive() {
    return 0;
  }

  public abstract Optional<Instant> nextAt();

  public static AnalysisCounters none() {
    return ImmutableAnalysisCounters.builder().build();
  }

  public static ImmutableAnalysisCounters.Builder builder() {
    return ImmutableAnalysisCounters.builder();
  }
}
