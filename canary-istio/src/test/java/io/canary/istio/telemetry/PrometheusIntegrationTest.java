package io.canary.istio.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.canary.core.Phase;
import io.canary.core.Revision;
import io.canary.core.Revisions;
import io.canary.core.analysis.SequentialJudge;
import io.canary.core.analysis.ThresholdGate;
import io.canary.core.analysis.ThresholdRule;
import io.canary.core.spi.AnalysisContext;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.Check;
import io.canary.core.spi.LatencyHistogram;
import io.canary.core.spi.TrafficSample;
import io.canary.core.spi.Verdict;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Prometheus source, the user's own PromQL and the judge reading known counts through a real
 * Prometheus (Debian's package, started on loopback by {@code .ci/prometheus.sh}), which scrapes the
 * Istio-named metrics this test serves.
 *
 * <p>Every scrape adds a fixed amount to each counter: the canary serves 10 requests (1 fails with 503),
 * stable 90 (1 fails). The windows start and end exactly on scrapes, where Prometheus's {@code increase}
 * extrapolates nothing, so the figures read back are exact multiples of those amounts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusIntegrationTest {
  static final String URL = System.getenv("CANARY_PROMETHEUS_URL");
  static final String TARGET_PORT = System.getenv("CANARY_PROMETHEUS_TARGET_PORT");
  static final int SCRAPES = 12;
  static final List<Double> BOUNDS = List.of(10.0, 50.0, 100.0, 500.0, Double.POSITIVE_INFINITY);

  final Semaphore scrapes = new Semaphore(0);
  HttpServer target;
  long served;
  PrometheusMetricSource istio;
  List<Instant> sampleTimes;

  @BeforeAll
  void serveMetricsAndWaitForPrometheusToHoldThem() throws IOException {
    assumeTrue(URL != null && TARGET_PORT != null, "no Prometheus: CANARY_PROMETHEUS_URL and CANARY_PROMETHEUS_TARGET_PORT"
        + " are unset. Run `bash .ci/run`, or `.ci/prometheus.sh -- ./mvnw -B -pl canary-istio -am verify`, which start one");
    target = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(TARGET_PORT)), 0);
    target.createContext("/metrics", exchange -> {
      byte[] body;
      synchronized (this) {
        served++;
        body = exposition(served).getBytes(StandardCharsets.UTF_8);
      }
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
      scrapes.release();
    });
    target.start();
    istio = PrometheusMetricSource.builder().baseUrl(URL).requestTimeout(Duration.ofSeconds(5)).build();
    // Waiting here is real time on a real component: Prometheus scrapes once a second. The waits are on the
    // scrapes themselves (a semaphore our endpoint releases), bounded by one deadline, never a fixed sleep.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    sampleTimes = List.of();
    while (sampleTimes.size() < SCRAPES) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !acquireScrape(left)) {
        throw new AssertionError("Prometheus at " + URL + " holds " + sampleTimes.size() + " samples of the test's metrics"
            + " after 90 s (" + served + " scrapes served on port " + TARGET_PORT + ")");
      }
      sampleTimes = sampleTimes();
    }
  }

  private boolean acquireScrape(long nanos) {
    try {
      return scrapes.tryAcquire(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @AfterAll
  void stopServing() {
    if (target != null) {
      target.stop(0);
    }
  }

  /** Istio's metric names and labels; after {@code n} scrapes each series holds n times its amount. */
  static String exposition(long n) {
    StringBuilder out = new StringBuilder("# TYPE istio_requests_total counter\n");
    counter(out, "checkout-canary", "200", 9 * n);
    counter(out, "checkout-canary", "503", n);
    counter(out, "checkout", "200", 89 * n);
    counter(out, "checkout", "503", n);
    out.append("# TYPE istio_request_duration_milliseconds histogram\n");
    histogram(out, "checkout-canary", n, 0, 5, 8, 10, 10);
    histogram(out, "checkout", n, 30, 80, 88, 90, 90);
    return out.toString();
  }

  private static String labels(String workload) {
    return "reporter=\"destination\",destination_workload_namespace=\"shop\",destination_workload=\"" + workload
        + "\",destination_service=\"checkout.shop.svc.cluster.local\"";
  }

  private static void counter(StringBuilder out, String workload, String code, long value) {
    out.append("istio_requests_total{").append(labels(workload)).append(",response_code=\"").append(code).append("\"} ")
        .append(value).append('\n');
  }

  private static void histogram(StringBuilder out, String workload, long n, long... cumulativePerScrape) {
    String[] le = {"10", "50", "100", "500", "+Inf"};
    for (int i = 0; i < le.length; i++) {
      out.append("istio_request_duration_milliseconds_bucket{").append(labels(workload)).append(",le=\"").append(le[i])
          .append("\"} ").append(cumulativePerScrape[i] * n).append('\n');
    }
    long count = cumulativePerScrape[le.length - 1] * n;
    out.append("istio_request_duration_milliseconds_sum{").append(labels(workload)).append("} ").append(count * 60).append('\n');
    out.append("istio_request_duration_milliseconds_count{").append(labels(workload)).append("} ").append(count).append('\n');
  }

  /** The times of the samples Prometheus holds of one of the test's series, oldest first. */
  private List<Instant> sampleTimes() {
    String q = "istio_requests_total{destination_workload=\"checkout-canary\",response_code=\"200\"}[5m]";
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(URL + "/api/v1/query?query=" + URLEncoder.encode(q, StandardCharsets.UTF_8))).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode result = new ObjectMapper().readTree(response.body()).path("data").path("result");
      List<Instant> times = new ArrayList<>();
      for (JsonNode pair : result.path(0).path("values")) {
        times.add(Instant.ofEpochMilli(Math.round(pair.path(0).asDouble() * 1000)));
      }
      return times;
    } catch (IOException e) {
      throw new AssertionError("cannot read samples from Prometheus at " + URL, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The window from the sample {@code scrapes} scrapes before the last one to the last one. */
  AnalysisContext lastScrapes(int scrapes) {
    Instant to = sampleTimes.get(sampleTimes.size() - 1);
    Instant from = sampleTimes.get(sampleTimes.size() - 1 - scrapes);
    return new AnalysisContext(IstioQueries.checkoutSpec(), new Revisions(new Revision("checkout", "a1", Map.of()),
        new Revision("checkout-canary", "b2", Map.of())), 10, 0, from, to, 0, Phase.PROGRESSING);
  }

  @Test
  void theSourceReadsTheRequestsErrorsAndLatencyServed() {
    AnalysisContext ctx = lastScrapes(10);
    TrafficSample canary = istio.query(ctx.spec(), ctx.revisions().canary(), ctx.windowStart(), ctx.windowEnd());
    TrafficSample stable = istio.query(ctx.spec(), ctx.revisions().stable(), ctx.windowStart(), ctx.windowEnd());

    assertThat(canary.requests()).isEqualTo(100);
    assertThat(canary.errors()).isEqualTo(10);
    // histogram_quantile interpolates within the (100, 500] bucket in floating point.
    assertThat(canary.latencyP99Millis()).isCloseTo(480, within(1e-9));
    assertThat(stable.requests()).isEqualTo(900);
    assertThat(stable.errors()).isEqualTo(10);
    assertThat(stable.latencyP99Millis()).isCloseTo(320, within(1e-9));
    assertThat(istio.latency(ctx.spec(), ctx.revisions().canary(), ctx.windowStart(), ctx.windowEnd()))
        .isEqualTo(LatencyHistogram.ofBucketCounts(BOUNDS, 0, 50, 30, 20, 0));
  }

  @Test
  void theUsersOwnPromQlWithVariablesDecidesAThresholdRule() {
    PrometheusQuery successRate = istio.query("sum(increase(istio_requests_total{destination_workload_namespace="
        + "\"{{ namespace }}\",destination_workload=\"{{ canary_workload }}\",response_code!~\"5..\"}[{{ window }}]))"
        + " / sum(increase(istio_requests_total{destination_workload_namespace=\"{{ namespace }}\","
        + "destination_workload=\"{{ canary_workload }}\"}[{{ window }}]))");
    AnalysisContext ctx = lastScrapes(10);

    assertThat(successRate.value(ctx)).isEqualTo(0.9);
    AnalysisResult strict = ThresholdGate.of(ThresholdRule.atLeast("success-rate", successRate, 0.99)).evaluate(ctx);
    assertThat(strict.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(strict.checks()).singleElement().extracting(Check::query).asString()
        .contains("destination_workload=\"checkout-canary\"").contains("[10s]");
    assertThat(ThresholdGate.of(ThresholdRule.atLeast("success-rate", successRate, 0.85)).evaluate(ctx).verdict())
        .isEqualTo(Verdict.PASS);
  }

  @Test
  void theJudgeFailsACanaryNineTimesAsLikelyToFailAndSlowerThanStable() {
    AnalysisResult result = SequentialJudge.builder().source(istio).compareLatency(true).build().evaluate(lastScrapes(10));

    assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(result.checks()).extracting(Check::name, Check::decision).containsExactly(
        org.assertj.core.groups.Tuple.tuple("traffic", Verdict.PASS),
        org.assertj.core.groups.Tuple.tuple("error-share", Verdict.FAIL),
        org.assertj.core.groups.Tuple.tuple("latency-rank", Verdict.FAIL));
    assertThat(result.checks().get(1).canaryValue()).isEqualTo(0.1);
    assertThat(result.checks().get(1).stableValue()).isEqualTo(10 / 900.0);
  }
}
