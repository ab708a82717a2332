package io.canary.core.analysis;

import io.canary.core.AnalysisSpec;
import io.canary.core.Step;
import io.canary.core.spi.MetricSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.immutables.value.Value;

/**
 * Flagger's canary analysis with its defaults, for users who migrate: every {@link #interval()} (1 min)
 * check the canary's request success rate (at least 99 %) and p99 request duration (at most 500 ms)
 * over the interval; a passing check moves the weight up by {@link #stepWeight()} (10) until
 * {@link #maxWeight()} (50), and a pass at the last weight promotes; a failing check holds the weight,
 * and at {@link #threshold()} (5) failed checks the rollout rolls back.
 *
 * <p>One difference: Flagger counts failed checks over the whole analysis, this policy over each
 * weight's analysis step (the runner clears the count when a step is done). A canary that keeps failing
 * rolls back at the same check; one that fails now and then is given more rope. Another: no data is
 * inconclusive here (the runner pauses for a person past the inconclusive limit), never a pass.
 *
 * <pre>{@code
 * FlaggerPolicy flagger = FlaggerPolicy.builder().source(metrics).build();
 * spec = CanarySpec.builder()...addAllSteps(flagger.steps()).build();
 * }</pre>
 */
@Value.Immutable
public abstract class FlaggerPolicy {
  public abstract MetricSource source();

  @Value.Default
  public Duration interval() {
    return Duration.ofMinutes(1);
  }

  @Value.Default
  public int threshold() {
    return 5;
  }

  @Value.Default
  public int stepWeight() {
    return 10;
  }

  @Value.Default
  public int maxWeight() {
    return 50;
  }

  /** Flagger's {@code request-success-rate} threshold {@code min: 99} (percent), as a share. */
  @Value.Default
  public double minSuccessRate() {
    return 0.99;
  }

  /** Flagger's {@code request-duration} threshold {@code max: 500} (milliseconds, p99). */
  @Value.Default
  public double maxLatencyP99Millis() {
    return 500;
  }

  public static ImmutableFlaggerPolicy.Builder builder() {
    return ImmutableFlaggerPolicy.builder();
  }

  @Value.Check
  protected void check() {
    if (interval().toMillis() < 1) {
      throw new IllegalArgumentException("FlaggerPolicy.interval must be at least 1ms, was " + interval());
    }
    if (threshold() < 1) {
      throw new IllegalArgumentException("FlaggerPolicy.threshold must be at least 1, was " + threshold());
    }
    if (stepWeight() < 1 || stepWeight() > 100) {
      throw new IllegalArgumentException("FlaggerPolicy.stepWeight must be within 1..100, was " + stepWeight());
    }
    if (maxWeight() < stepWeight() || maxWeight() > 100) {
      throw new IllegalArgumentException("FlaggerPolicy.maxWeight must be within stepWeight (" + stepWeight()
          + ")..100, was " + maxWeight());
    }
    if (!(minSuccessRate() >= 0 && minSuccessRate() <= 1)) {
      throw new IllegalArgumentException("FlaggerPolicy.minSuccessRate must be within 0..1, was " + minSuccessRate());
    }
    if (!(maxLatencyP99Millis() > 0)) {
      throw new IllegalArgumentException("FlaggerPolicy.maxLatencyP99Millis must be positive, was " + maxLatencyP99Millis());
    }
  }

  /** The checks: request-success-rate {@code >= 99 %} and request-duration p99 {@code <= 500 ms}, stable's shown beside. */
  public ThresholdGate gate() {
    return ThresholdGate.of(
        ThresholdRule.builder().name("request-success-rate").query(MetricQueries.canarySuccessRate(source()))
            .stableQuery(MetricQueries.stableSuccessRate(source()))
            .comparison(ThresholdRule.Comparison.AT_LEAST).threshold(minSuccessRate()).build(),
        ThresholdRule.builder().name("request-duration").query(MetricQueries.canaryLatencyP99(source()))
            .stableQuery(MetricQueries.stableLatencyP99(source()))
            .comparison(ThresholdRule.Comparison.AT_MOST).threshold(maxLatencyP99Millis()).build());
  }

  /** The analysis of one weight: one passing check goes on, {@code threshold} failed checks roll back. */
  public AnalysisSpec analysis() {
    return AnalysisSpec.builder().name("flagger").gate(gate()).interval(interval())
        .successfulRuns(1).failureLimit(threshold() - 1).inconclusiveLimit(threshold()).build();
  }

  /** {@code setWeight stepWeight, analysis, setWeight 2 x stepWeight, analysis, ...} up to maxWeight. */
  public List<Step> steps() {
    AnalysisSpec analysis = analysis();
    List<Step> steps = new ArrayList<>();
    for (int w = stepWeight(); w <= maxWeight(); w += stepWeight()) {
      steps.add(Step.setWeight(w));
      steps.add(Step.analysis(analysis));
    }
    return steps;
  }
}
