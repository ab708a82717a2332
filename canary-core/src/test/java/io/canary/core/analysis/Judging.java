package io.canary.core.analysis;

import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Phase;
import io.canary.core.Revision;
import io.canary.core.Revisions;
import io.canary.core.Step;
import io.canary.core.WorkloadRef;
import io.canary.core.memory.InMemoryStrategy;
import io.canary.core.spi.AnalysisContext;
import io.canary.core.spi.LatencyHistogram;
import io.canary.core.spi.MetricSource;
import io.canary.core.spi.TrafficSample;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A rollout, its revisions and a metric source whose next window's figures a test sets. */
final class Judging {
  static final Instant T0 = Instant.parse("2026-11-23T04:00:00Z");
  static final CanarySpec SPEC = CanarySpec.builder().name("checkout").namespace("shop")
      .target(WorkloadRef.deployment("checkout")).revision(NewRevision.image("checkout", "registry/checkout:2"))
      .traffic(InMemoryStrategy.of("checkout"))
      .addSteps(Step.setWeight(20)).build();
  static final Revisions REVISIONS = new Revisions(new Revision("checkout", "a1", Map.of()),
      new Revision("checkout-canary", "b2", Map.of()));
  static final List<Double> BOUNDS = List.of(10.0, 50.0, 100.0, 500.0, Double.POSITIVE_INFINITY);

  /** Answers the figures set for each revision, whatever the window; counts the queries. */
  static final class Figures implements MetricSource {
    final Map<String, TrafficSample> samples = new HashMap<>();
    final Map<String, LatencyHistogram> histograms = new HashMap<>();
    int queries;

    Figures set(long canaryRequests, long canaryErrors, long stableRequests, long stableErrors) {
      samples.put("checkout-canary", new TrafficSample(canaryRequests, canaryErrors, Double.NaN));
      samples.put("checkout", new TrafficSample(stableRequests, stableErrors, Double.NaN));
      return this;
    }

    Figures latency(LatencyHistogram canary, LatencyHistogram stable) {
      histograms.put("checkout-canary", canary);
      histograms.put("checkout", stable);
      return this;
    }

    @Override
    public TrafficSample query(CanarySpec spec, Revision revision, Instant from, Instant to) {
      queries++;
      return samples.getOrDefault(revision.workload(), TrafficSample.EMPTY);
    }

    @Override
    public LatencyHistogram latency(CanarySpec spec, Revision revision, Instant from, Instant to) {
      return histograms.getOrDefault(revision.workload(), LatencyHistogram.EMPTY);
    }
  }

  /** The context of window {@code i} (each one minute long) of attempt {@code attempt}. */
  static AnalysisContext window(int i, int attempt) {
    return new AnalysisContext(SPEC, REVISIONS, 20, 0, T0.plus(Duration.ofMinutes(i)), T0.plus(Duration.ofMinutes(i + 1)),
        attempt, Phase.PROGRESSING);
  }

  static AnalysisContext window(int i) {
    return window(i, 0);
  }

  private Judging() {}
}
