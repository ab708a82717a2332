package io.canary.istio.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.AnalysisSpec;
import io.canary.core.CanaryException;
import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.PauseReason;
import io.canary.core.Phase;
import io.canary.core.Revision;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutStatus;
import io.canary.core.Revisions;
import io.canary.core.Step;
import io.canary.core.analysis.AnalysisGates;
import io.canary.core.memory.InMemoryTrafficRouter;
import io.canary.core.memory.InMemoryWorkloads;
import io.canary.core.spi.AnalysisContext;
import io.canary.core.spi.AnalysisGate;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.Measurement;
import io.canary.core.spi.Verdict;
import io.canary.core.time.VirtualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The core's analysis gates judging canaries on figures a Prometheus serves. */
class PrometheusAnalysisTest {
  static final Instant FROM = Instant.parse("2026-11-23T04:00:00Z");
  static final CanarySpec SPEC = IstioQueries.checkoutSpec();
  static final AnalysisContext CONTEXT = new AnalysisContext(SPEC,
      new Revisions(new Revision("checkout", "a1", Map.of()), new Revision("checkout-canary", "b2", Map.of())),
      20, 1, FROM, FROM.plusSeconds(60));
  static final IstioQueries CANARY = IstioQueries.of("shop", "checkout-canary", "60s");
  static final IstioQueries STABLE = IstioQueries.of("shop", "checkout", "60s");

  final FakePrometheus prometheus = FakePrometheus.start();
  final PrometheusMetricSource istio = PrometheusMetricSource.builder().baseUrl(prometheus.baseUrl())
      .requestTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stopPrometheus() {
    prometheus.close();
  }

  @ParameterizedTest(name = "{0} requests, {1} errors: {2}")
  @CsvSource(delimiter = '|', value = {
      "1000 | 5  | PASS         | canary success rate 0.9950 >= 0.9900",
      "1000 | 50 | FAIL         | canary success rate 0.9500 is below 0.9900 (50 of 1000 requests failed)",
      "40   | 0  | INCONCLUSIVE | canary served 40 requests, 100 needed to judge",
  })
  void successRateJudgesTheCanaryOnIstioRequestCounts(String requests, String errors, Verdict verdict, String message) {
    CANARY.serve(prometheus, requests, errors, "85");

    AnalysisResult result = AnalysisGates.successRate(istio, 0.99, 100).evaluate(CONTEXT);

    assertThat(result.verdict()).isEqualTo(verdict);
    assertThat(result.message()).isEqualTo(message);
  }

  @Test
  void successRateIsInconclusiveWhenTheCanaryHasNoTelemetry() {
    CANARY.serveNoData(prometheus);

    AnalysisResult result = AnalysisGates.successRate(istio, 0.99, 100).evaluate(CONTEXT);

    assertThat(result.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(result.message()).isEqualTo("canary served 0 requests, 100 needed to judge");
    assertThat(result.measurements()).singleElement().extracting(Measurement::value).isEqualTo(Double.NaN);
  }

  @ParameterizedTest(name = "stable {0}/{1} p99 {2}, canary {3}/{4} p99 {5}: {6}")
  @CsvSource(delimiter = '|', value = {
      "2000 | 4 | 120 | 1000 | 3  | 150 | PASS         | canary success rate 0.9970, stable 0.9980",
      "2000 | 4 | 120 | 1000 | 3  | NaN | PASS         | canary success rate 0.9970, stable 0.9980",
      "2000 | 4 | 120 | 1000 | 40 | 150 | FAIL         | canary success rate 0.9600 is more than 0.0100 below stable's 0.9980",
      "2000 | 4 | 120 | 1000 | 2  | 400 | FAIL         | canary p99 latency 400.0 ms is over 1.5 x stable's 120.0 ms",
      "60   | 0 | 120 | 1000 | 2  | 150 | INCONCLUSIVE | canary served 1000 and stable 60 requests; 100 each are needed to compare",
  })
  void comparedToStableJudgesBothRevisionsOnTheSameWindow(String stableRequests, String stableErrors, String stableP99,
      String canaryRequests, String canaryErrors, String canaryP99, Verdict verdict, String message) {
    STABLE.serve(prometheus, stableRequests, stableErrors, stableP99);
    CANARY.serve(prometheus, canaryRequests, canaryErrors, canaryP99);

    AnalysisResult result = AnalysisGates.comparedToStable(istio, 0.01, 1.5, 100).evaluate(CONTEXT);

    assertThat(result.verdict()).isEqualTo(verdict);
    assertThat(result.message()).isEqualTo(message);
    assertThat(prometheus.received()).hasSize(6).extracting(FakePrometheus.Received::time).containsOnly("1795406460");
  }

  @Test
  void comparedToStableIsInconclusiveWhenStableHasNoTelemetry() {
    STABLE.serveNoData(prometheus);
    CANARY.serve(prometheus, "1000", "0", "90");

    AnalysisResult result = AnalysisGates.comparedToStable(istio, 0.01, 1.5, 100).evaluate(CONTEXT);

    assertThat(result.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(result.message()).isEqualTo("canary served 1000 and stable 0 requests; 100 each are needed to compare");
  }

  @Test
  void aGateOverAnUnavailablePrometheusThrowsTheReason() {
    prometheus.answerEveryQuery(503, FakePrometheus.error("unavailable", "TSDB not ready"));
    AnalysisGate gate = AnalysisGates.comparedToStable(istio, 0.01, 1.5, 100);

    assertThatThrownBy(() -> gate.evaluate(CONTEXT))
        .isInstanceOf(CanaryException.class)
        .hasMessageContaining("answered HTTP 503 (unavailable: TSDB not ready)");
  }

  @Test
  void aRolloutWhoseCanaryFailsOnIstioTelemetryIsAborted() {
    CANARY.serve(prometheus, "1000", "200", "85");
    try (Runner r = new Runner()) {
      RolloutHandle rollout = r.start(AnalysisSpec.of("istio-success-rate", AnalysisGates.successRate(istio, 0.99, 100)));

      RolloutStatus done = rollout.await(Duration.ofMinutes(10));

      assertThat(done.phase()).isEqualTo(Phase.ABORTED);
      assertThat(done.abortReason()).hasValueSatisfying(reason -> assertThat(reason)
          .contains("analysis 'istio-success-rate' (step 2/3) failed").contains("0.8000 is below 0.9900"));
      assertThat(r.router.weights(SPEC.key())).containsExactly(0, 20, 0, 0);
    }
  }

  @Test
  void aRolloutWhosePrometheusIsDownPausesInsteadOfAborting() {
    prometheus.answerEveryQuery(503, FakePrometheus.error("unavailable", "TSDB not ready"));
    AnalysisSpec analysis = AnalysisSpec.builder().name("istio-success-rate")
        .gate(AnalysisGates.successRate(istio, 0.99, 100)).inconclusiveLimit(1).build();
    try (Runner r = new Runner()) {
      RolloutHandle rollout = r.start(analysis);

      RolloutStatus paused = rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));

      assertThat(paused.pauseReason()).contains(PauseReason.InconclusiveAnalysis);
      assertThat(paused.abortReason()).isEmpty();
      assertThat(r.router.weights(SPEC.key())).containsExactly(0, 20);
      assertThat(prometheus.queries()).isNotEmpty().allMatch(q -> q.contains("destination_workload=\"checkout-canary\""));
    }
  }

  /** A runner on in-memory workloads and routing and a virtual clock; only the metrics are real HTTP. */
  static final class Runner implements AutoCloseable {
    final VirtualScheduler clock = VirtualScheduler.create();
    final InMemoryTrafficRouter router = new InMemoryTrafficRouter();
    final CanaryRunner runner = CanaryRunner.builder()
        .trafficRouter(router)
        .workloads(InMemoryWorkloads.create(clock, 5, Duration.ZERO))
        .scheduler(clock)
        .build();

    RolloutHandle start(AnalysisSpec analysis) {
      return runner.start(CanarySpec.copyOf(SPEC)
          .withSteps(Step.setWeight(20), Step.analysis(analysis), Step.setWeight(60)));
    }

    @Override
    public void close() {
      runner.close();
    }
  }
}
