package io.canary.core.analysis;

import io.canary.core.spi.AnalysisContext;

/**
 * One number an analysis asks a metrics backend for over the evaluation's window: a success rate, a
 * latency percentile, any value. canary-istio's {@code PrometheusMetricSource.query(template)} gives
 * the user's own PromQL with variables; {@link MetricQueries} gives the common ones over any
 * {@link io.canary.core.spi.MetricSource}.
 */
public interface MetricQuery {
  /** The query as it is sent for {@code context} (PromQL with its variables filled in), for people. */
  String render(AnalysisContext context);

  /**
   * The value for {@code context}; {@code NaN} when the backend has no data. Throws when the backend
   * cannot answer: that is an error of the measurement, not a verdict on the canary.
   */
  double value(AnalysisContext context);
}
