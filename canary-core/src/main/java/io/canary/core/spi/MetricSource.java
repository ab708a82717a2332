package io.canary.core.spi;

import io.canary.core.CanarySpec;
import io.canary.core.Revision;
import java.time.Instant;

/** Where analysis reads request figures from (Istio telemetry, a simulator, a user's own store). */
@FunctionalInterface
public interface MetricSource {
  /** The requests {@code revision} served between {@code from} and {@code to}. */
  TrafficSample query(CanarySpec spec, Revision revision, Instant from, Instant to);

  /**
   * The durations of the requests {@code revision} served between {@code from} and {@code to}, for
   * judges that compare whole distributions. A source that has none answers {@link LatencyHistogram#EMPTY},
   * and such a judge then has no latency data (inconclusive, never a pass on latency).
   */
  default LatencyHistogram latency(CanarySpec spec, Revision revision, Instant from, Instant to) {
    return LatencyHistogram.EMPTY;
  }
}
