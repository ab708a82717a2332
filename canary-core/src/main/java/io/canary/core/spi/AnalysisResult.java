package io.canary.core.spi;

import java.util.List;
import java.util.Objects;

/** A verdict with the measurements that led to it and a sentence for people. */
public record AnalysisResult(Verdict verdict, String message, List<Measurement> measurements) {
  public AnalysisResult {
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(message, "message");
    measurements = List.copyOf(measurements);
  }

  public static AnalysisResult pass(String message, Measurement... m) {
    return new AnalysisResult(Verdict.PASS, message, List.of(m));
  }

  public static AnalysisResult fail(String message, Measurement... m) {
    return new AnalysisResult(Verdict.FAIL, message, List.of(m));
  }

  public static AnalysisResult inconclusive(String message, Measurement... m) {
    return new AnalysisResult(Verdict.INCONCLUSIVE, message, List.of(m));
  }
}
