package io.canary.spec;

import io.canary.core.spi.MetricSource;
import java.net.URI;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * How a spec file is read: the Prometheus its metric gates read (given on the command line, in place
 * of the file's {@code prometheus.url}), or a metric source of the host's own for them (the simulated
 * cluster's traffic in tests).
 */
@Value.Immutable
public abstract class SpecOptions {
  /** Overrides the file's {@code prometheus.url} and every gate's {@code prometheusUrl}. */
  public abstract Optional<URI> prometheusUrl();

  /**
   * The source of the {@code sequentialJudge} and {@code flagger} gates' figures, in place of Istio's
   * metrics in Prometheus; {@code thresholds} queries are PromQL and always go to Prometheus.
   */
  @Value.Auxiliary
  public abstract Optional<MetricSource> metricSource();

  public static SpecOptions defaults() {
    return builder().build();
  }

  public static ImmutableSpecOptions.Builder builder() {
    return ImmutableSpecOptions.builder();
  }
}
