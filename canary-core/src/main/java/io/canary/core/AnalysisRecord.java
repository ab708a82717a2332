package io.canary.core;

import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.Check;
import io.canary.core.spi.Verdict;
import java.time.Instant;
import java.util.List;
import org.immutables.value.Value;

/** One analysis or gate result as the status keeps it: what ran, when, the verdict and the checks behind it. */
@Value.Immutable
public abstract class AnalysisRecord {
  /** The analysis or gate's name. */
  public abstract String name();

  /** {@code background}, {@code step 3/8}, or a gate's point such as {@code confirm-promotion}. */
  public abstract String where();

  public abstract Verdict verdict();

  public abstract String message();

  public abstract Instant time();

  public abstract List<Check> checks();

  public static AnalysisRecord of(String name, String where, AnalysisResult result, Instant time) {
    return ImmutableAnalysisRecord.builder().name(name).where(where).verdict(result.verdict()).message(result.message())
        .time(time).checks(result.checks()).build();
  }

  public static ImmutableAnalysisRecord.Builder builder() {
    return ImmutableAnalysisRecord.builder();
  }
}
