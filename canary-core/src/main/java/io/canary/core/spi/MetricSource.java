package io.canary.core.spi;

import io.canary.core.CanarySpec;
import io.canary.core.Revision;
import java.time.Instant;

/** Where analysis reads request figures from (Istio telemetry, a simulator, a user's own store). */
@FunctionalInterface
public interface MetricSource {
  /** The requests {@code revision} served between {@code from} and {@code to}. */
  TrafficSample query(CanarySpec spec, Revision revision, Instant from, Instant to);
}
