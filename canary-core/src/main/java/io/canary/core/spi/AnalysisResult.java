package io.canary.core.spi;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A verdict with the measurements that led to it, the checks that decided it (each with its query,
 * canary and stable values, rule and decision) and a sentence for people.
 */
public record AnalysisResult(Verdict verdict, String message, List<Measurement> measurements, List<Check> checks) {
  public AnalysisResult {
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(message, "message");
    measurements = List.copyOf(measurements);
    checks = List.copyOf(checks);
  }

  public AnalysisResult(Verdict verdict, String message, List<Measurement> measurements) {
    this(verdict, message, measurements, List.of());
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

  /**
   * The verdict of several checks, the worst deciding: any failed check fails, otherwise any
   * inconclusive one makes it inconclusive, otherwise it passes. No check at all is inconclusive: a
   * verdict without evidence is never a pass. The message names the checks that decided.
   */
  public static AnalysisResult of(List<Check> checks) {
    Verdict verdict = checks.isEmpty() ? Verdict.INCONCLUSIVE
        : checks.stream().anyMatch(c -> c.decision() == Verdict.FAIL) ? Verdict.FAIL
        : checks.stream().anyMatch(c -> c.decision() == Verdict.INCONCLUSIVE) ? Verdict.INCONCLUSIVE
        : Verdict.PASS;
    String message = checks.isEmpty() ? "no check was made"
        : checks.stream().filter(c -> c.decision() == verdict).map(Check::describe).collect(Collectors.joining("; "));
    return new AnalysisResult(verdict, message, List.of(), checks);
  }

  /** The verdict, then one line per check: what a status tree or a log shows. */
  public String describe() {
    if (checks.isEmpty()) {
      return verdict + ": " + message;
    }
    return checks.stream().map(c -> "  " + c.describe()).collect(Collectors.joining("\n", verdict + ":\n", ""));
  }
}
