/** PromQL building and the Prometheus instant-query exchange behind {@code PrometheusMetricSource}. */
package io.canary.istio.telemetry.internal;
