package io.canary.core.analysis;

import io.canary.core.spi.AnalysisGate;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.Measurement;
import io.canary.core.spi.MetricSource;
import io.canary.core.spi.TrafficSample;
import java.util.Optional;

/**
 * Ready-made analysis gates over a {@link MetricSource}. Each needs enough requests in the window to
 * judge; with fewer it answers inconclusive rather than guess.
 */
public final class AnalysisGates {
  private AnalysisGates() {}

  /**
   * Passes while the canary's success rate is at least {@code minSuccessRate} (0..1), fails below,
   * inconclusive with fewer than {@code minRequests} canary requests in the window.
   */
  public static AnalysisGate successRate(MetricSource source, double minSuccessRate, long minRequests) {
    requireRate("minSuccessRate", minSuccessRate);
    requireRequests(minRequests);
    return ctx -> {
      TrafficSample canary = source.query(ctx.spec(), ctx.revisions().canary(), ctx.windowStart(), ctx.windowEnd());
      Measurement m = new Measurement("success-rate", "canary", canary.successRate(), Optional.of(minSuccessRate));
      if (canary.requests() < minRequests) {
        return AnalysisResult.inconclusive("canary served " + canary.requests() + " requests, " + minRequests
            + " needed to judge", m);
      }
      if (canary.successRate() < minSuccessRate) {
        return AnalysisResult.fail(String.format("canary success rate %.4f is below %.4f (%d of %d requests failed)",
            canary.successRate(), minSuccessRate, canary.errors(), canary.requests()), m);
      }
      return AnalysisResult.pass(String.format("canary success rate %.4f >= %.4f", canary.successRate(), minSuccessRate), m);
    };
  }

  /**
   * Judges the canary against stable over the same window: fails when the canary's success rate is
   * more than {@code maxDrop} (0..1) below stable's, or when its p99 latency is more than
   * {@code maxLatencyRatio} times stable's (when both are known). Inconclusive with fewer than
   * {@code minRequests} requests on either side.
   */
  public static AnalysisGate comparedToStable(MetricSource source, double maxDrop, double maxLatencyRatio, long minRequests) {
    requireRate("maxDrop", maxDrop);
    if (!(maxLatencyRatio >= 1)) {
      throw new IllegalArgumentException("AnalysisGates.comparedToStable maxLatencyRatio must be at least 1, was " + maxLatencyRatio);
    }
    requireRequests(minRequests);
    return ctx -> {
      TrafficSample canary = source.query(ctx.spec(), ctx.revisions().canary(), ctx.windowStart(), ctx.windowEnd());
      TrafficSample stable = source.query(ctx.spec(), ctx.revisions().stable(), ctx.windowStart(), ctx.windowEnd());
      Measurement canaryRate = new Measurement("success-rate", "canary", canary.successRate(),
          Optional.of(stable.successRate() - maxDrop));
      Measurement stableRate = new Measurement("success-rate", "stable", stable.successRate(), Optional.empty());
      if (canary.requests() < minRequests || stable.requests() < minRequests) {
        return AnalysisResult.inconclusive("canary served " + canary.requests() + " and stable " + stable.requests()
            + " requests; " + minRequests + " each are needed to compare", canaryRate, stableRate);
      }
      if (canary.successRate() < stable.successRate() - maxDrop) {
        return AnalysisResult.fail(String.format("canary success rate %.4f is more than %.4f below stable's %.4f",
            canary.successRate(), maxDrop, stable.successRate()), canaryRate, stableRate);
      }
      boolean latencyKnown = !Double.isNaN(canary.latencyP99Millis()) && !Double.isNaN(stable.latencyP99Millis());
      if (latencyKnown && canary.latencyP99Millis() > stable.latencyP99Millis() * maxLatencyRatio) {
        Measurement latency = new Measurement("latency-p99-ms", "canary", canary.latencyP99Millis(),
            Optional.of(stable.latencyP99Millis() * maxLatencyRatio));
        return AnalysisResult.fail(String.format("canary p99 latency %.1f ms is over %.1f x stable's %.1f ms",
            canary.latencyP99Millis(), maxLatencyRatio, stable.latencyP99Millis()), canaryRate, stableRate, latency);
      }
      return AnalysisResult.pass(String.format("canary success rate %.4f, stable %.4f", canary.successRate(),
          stable.successRate()), canaryRate, stableRate);
    };
  }

  private static void requireRate(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException("AnalysisGates " + name + " must be within 0..1, was " + value);
    }
  }

  private static void requireRequests(long minRequests) {
    if (minRequests < 1) {
      throw new IllegalArgumentException("AnalysisGates minRequests must be at least 1, was " + minRequests);
    }
  }
}
