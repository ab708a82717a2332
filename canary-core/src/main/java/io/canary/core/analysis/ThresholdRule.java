package io.canary.core.analysis;

import io.canary.core.spi.AnalysisContext;
import io.canary.core.spi.Check;
import io.canary.core.spi.Verdict;
import java.util.Locale;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * One threshold check: the value of {@link #query()} held against {@link #threshold()}, passing when it
 * is {@code >=} ({@link Comparison#AT_LEAST}) or {@code <=} ({@link Comparison#AT_MOST}). No data
 * (NaN) is inconclusive, never a pass. {@link #stableQuery()}, when given, is shown beside the canary's
 * value so a person sees both.
 *
 * <pre>{@code
 * ThresholdRule.atLeast("success-rate", istio.query("sum(rate(...{destination_workload=\"{{ canary_workload }}\"...}[{{ window }}]))"), 0.99)
 * }</pre>
 */
@Value.Immutable
public abstract class ThresholdRule {
  public enum Comparison {
    AT_LEAST(">="),
    AT_MOST("<=");

    private final String symbol;

    Comparison(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }

  public abstract String name();

  public abstract MetricQuery query();

  public abstract Comparison comparison();

  public abstract double threshold();

  public abstract Optional<MetricQuery> stableQuery();

  public static ImmutableThresholdRule.Builder builder() {
    return ImmutableThresholdRule.builder();
  }

  public static ThresholdRule atLeast(String name, MetricQuery query, double threshold) {
    return builder().name(name).query(query).comparison(Comparison.AT_LEAST).threshold(threshold).build();
  }

  public static ThresholdRule atMost(String name, MetricQuery query, double threshold) {
    return builder().name(name).query(query).comparison(Comparison.AT_MOST).threshold(threshold).build();
  }

  @Value.Check
  protected void check() {
    if (name().isBlank()) {
      throw new IllegalArgumentException("ThresholdRule.name must not be empty");
    }
    if (!Double.isFinite(threshold())) {
      throw new IllegalArgumentException("ThresholdRule " + name() + ": threshold must be a finite number, was " + threshold());
    }
  }

  /** Runs the query (and the stable one) and decides; a query that throws propagates: the gate counts errors. */
  public Check evaluate(AnalysisContext ctx) {
    double value = query().value(ctx);
    double stable = stableQuery().map(q -> q.value(ctx)).orElse(Double.NaN);
    String rule = comparison().symbol() + " " + String.format(Locale.ROOT, "%s", threshold());
    Verdict decision;
    String reason;
    if (Double.isNaN(value)) {
      decision = Verdict.INCONCLUSIVE;
      reason = "no data";
    } else if (comparison() == Comparison.AT_LEAST ? value >= threshold() : value <= threshold()) {
      decision = Verdict.PASS;
      reason = "";
    } else {
      decision = Verdict.FAIL;
      reason = "";
    }
    return new Check(name(), query().render(ctx), value, stable, rule, decision, reason);
  }
}
