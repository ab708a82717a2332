package io.canary.core.memory;

import io.canary.core.CanarySpec;
import io.canary.core.Revision;
import io.canary.core.spi.MetricSource;
import io.canary.core.spi.TrafficSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Request figures recorded by a test, per workload and time: a query sums what was recorded for the
 * revision's workload inside the window (latency: the highest p99 recorded there).
 */
public final class InMemoryMetricSource implements MetricSource {
  private final Map<String, List<Record>> records = new HashMap<>();

  /** Records that {@code workload} served {@code requests} with {@code errors} failures at {@code time}. */
  public synchronized InMemoryMetricSource record(String workload, Instant time, long requests, long errors, double latencyP99Millis) {
    if (errors > requests || requests < 0 || errors < 0) {
      throw new IllegalArgumentException("InMemoryMetricSource: errors (" + errors + ") must be within 0..requests ("
          + requests + ") for " + workload);
    }
    records.computeIfAbsent(workload, k -> new ArrayList<>()).add(new Record(time, requests, errors, latencyP99Millis));
    return this;
  }

  @Override
  public synchronized TrafficSample query(CanarySpec spec, Revision revision, Instant from, Instant to) {
    long requests = 0;
    long errors = 0;
    double latency = Double.NaN;
    for (Record r : records.getOrDefault(revision.workload(), List.of())) {
      if (r.time.isAfter(from) && !r.time.isAfter(to)) {
        requests += r.requests;
        errors += r.errors;
        latency = Double.isNaN(latency) ? r.latency : Math.max(latency, r.latency);
      }
    }
    return new TrafficSample(requests, errors, latency);
  }

  private record Record(Instant time, long requests, long errors, double latency) {}
}
