package io.canary.core.spi;

import java.util.Locale;
import java.util.Objects;

/**
 * One check of an analysis, as a person needs it to trust the verdict: what was asked (the query, or
 * the name of the statistic), what the canary and stable showed, the rule it was held against, and
 * what the check decided.
 *
 * @param name the check's name, for example {@code success-rate} or {@code error-share}
 * @param query the query sent (PromQL with the variables filled in), or the statistic computed
 * @param canaryValue the canary's figure ({@code NaN} when there was none)
 * @param stableValue stable's figure ({@code NaN} when the check does not look at stable, or had none)
 * @param rule the rule or threshold, for example {@code >= 0.99} or {@code e-value >= 100 (alpha 0.01)}
 * @param decision what this check decided
 * @param reason why, in a few words (for example {@code 40 canary requests, 100 needed})
 */
public record Check(String name, String query, double canaryValue, double stableValue, String rule, Verdict decision,
    String reason) {
  public Check {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(decision, "decision");
    Objects.requireNonNull(reason, "reason");
  }

  /** One line for people: {@code success-rate FAIL: canary 0.9500, stable 0.9950; rule >= 0.99; 50 of 1000 failed [query]}. */
  public String describe() {
    StringBuilder line = new StringBuilder(name).append(' ').append(decision).append(": canary ")
        .append(format(canaryValue));
    if (!Double.isNaN(stableValue)) {
      line.append(", stable ").append(format(stableValue));
    }
    line.append("; rule ").append(rule);
    if (!reason.isEmpty()) {
      line.append("; ").append(reason);
    }
    return line.append(" [").append(query).append(']').toString();
  }

  static String format(double value) {
    if (Double.isNaN(value)) {
      return "no data";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return String.format(Locale.ROOT, "%d", (long) value);
    }
    return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.1f" : "%.4f", value);
  }
}
