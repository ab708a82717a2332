/**
 * Istio telemetry for analysis: {@link io.canary.istio.telemetry.PrometheusMetricSource} reads
 * Istio's standard request metrics from the Prometheus HTTP API as a
 * {@link io.canary.core.spi.MetricSource} for {@link io.canary.core.analysis.AnalysisGates}.
 */
package io.canary.istio.telemetry;
