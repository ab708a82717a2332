package io.canary.core.analysis;

import io.canary.core.Revision;
import io.canary.core.spi.AnalysisContext;
import io.canary.core.spi.MetricSource;
import io.canary.core.spi.TrafficSample;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/** The common {@link MetricQuery}s over a {@link MetricSource}: what Flagger calls its built-in metrics. */
public final class MetricQueries {
  private MetricQueries() {}

  /** The canary's share of successful requests over the window (0..1); no data with no requests. */
  public static MetricQuery canarySuccessRate(MetricSource source) {
    return over(source, "request-success-rate", r -> r.canary(), TrafficSample::successRate);
  }

  /** Stable's share of successful requests over the window, to show beside the canary's. */
  public static MetricQuery stableSuccessRate(MetricSource source) {
    return over(source, "request-success-rate", r -> r.stable(), TrafficSample::successRate);
  }

  /** The canary's 99th percentile request duration in milliseconds over the window. */
  public static MetricQuery canaryLatencyP99(MetricSource source) {
    return over(source, "request-duration-p99", r -> r.canary(), s -> s.requests() == 0 ? Double.NaN : s.latencyP99Millis());
  }

  /** Stable's 99th percentile request duration in milliseconds over the window. */
  public static MetricQuery stableLatencyP99(MetricSource source) {
    return over(source, "request-duration-p99", r -> r.stable(), s -> s.requests() == 0 ? Double.NaN : s.latencyP99Millis());
  }

  private static MetricQuery over(MetricSource source, String name, Function<io.canary.core.Revisions, Revision> which,
      ToDoubleFunction<TrafficSample> figure) {
    Objects.requireNonNull(source, "source");
    return new MetricQuery() {
      @Override
      public String render(AnalysisContext ctx) {
        return name + " of " + which.apply(ctx.revisions()) + " from " + ctx.windowStart() + " to " + ctx.windowEnd();
      }

      @Override
      public double value(AnalysisContext ctx) {
        return figure.applyAsDouble(source.query(ctx.spec(), which.apply(ctx.revisions()), ctx.windowStart(), ctx.windowEnd()));
      }
    };
  }
}
