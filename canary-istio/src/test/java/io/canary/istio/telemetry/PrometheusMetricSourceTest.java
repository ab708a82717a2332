package io.canary.istio.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.canary.core.CanaryException;
import io.canary.core.CanarySpec;
import io.canary.core.Revision;
import io.canary.core.spi.TrafficSample;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PrometheusMetricSourceTest {
  static final Instant FROM = Instant.parse("2026-11-23T04:00:00Z");
  static final Instant TO = FROM.plusSeconds(60);
  static final CanarySpec SPEC = IstioQueries.checkoutSpec();
  static final Revision CANARY = new Revision("checkout-canary", "7f9c2",
      Map.of("version", "v2", "canary.io/revision", "7f9c2"));
  static final IstioQueries CANARY_QUERIES = IstioQueries.of("shop", "checkout-canary", "60s");

  final FakePrometheus prometheus = FakePrometheus.start();

  @AfterEach
  void stopPrometheus() {
    prometheus.close();
  }

  PrometheusMetricSource.Builder source() {
    return PrometheusMetricSource.builder().baseUrl(prometheus.baseUrl()).requestTimeout(Duration.ofSeconds(5));
  }

  @Test
  void sendsIstioStandardQueriesForTheRevisionOverTheWindowAtItsEnd() {
    prometheus.answerEveryQuery(200, FakePrometheus.vector("1"));

    source().build().query(SPEC, CANARY, FROM, TO);

    assertThat(prometheus.queries()).containsExactlyInAnyOrder(
        "sum(increase(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"shop\","
            + "destination_workload=\"checkout-canary\"}[60s]))",
        "sum(increase(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"shop\","
            + "destination_workload=\"checkout-canary\",response_code=~\"5..\"}[60s]))",
        "histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter=\"destination\","
            + "destination_workload_namespace=\"shop\",destination_workload=\"checkout-canary\"}[60s])))");
    assertThat(prometheus.received()).allSatisfy(r -> {
      assertThat(r.method()).isEqualTo("GET");
      assertThat(r.path()).isEqualTo("/api/v1/query");
      assertThat(r.time()).isEqualTo("1795406460");
      assertThat(r.params()).containsOnlyKeys("query", "time");
    });
  }

  @Test
  void readsRequestsErrorsAndP99FromVectorAnswers() {
    CANARY_QUERIES.serve(prometheus, "1234.4", "12.6", "250.5");

    assertThat(source().build().query(SPEC, CANARY, FROM, TO)).isEqualTo(new TrafficSample(1234, 13, 250.5));
  }

  @Test
  void scalarAnswersAreReadToo() {
    prometheus.answerEveryQuery(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1795406460,\"42\"]}}");

    assertThat(source().build().query(SPEC, CANARY, FROM, TO)).isEqualTo(new TrafficSample(42, 42, 42));
  }

  @Test
  void noDataMeansNoRequestsAndAnUnknownLatency() {
    CANARY_QUERIES.serveNoData(prometheus);

    TrafficSample sample = source().build().query(SPEC, CANARY, FROM, TO);

    assertThat(sample.requests()).isZero();
    assertThat(sample.errors()).isZero();
    assertThat(sample.latencyP99Millis()).isNaN();
    assertThat(sample.successRate()).isNaN();
  }

  @ParameterizedTest(name = "requests {0}, errors {1}, p99 {2}")
  @CsvSource({
      "NaN,  NaN,  NaN,  0,   0, NaN",
      "100,  NaN,  +Inf, 100, 0, NaN",
      "+Inf, 3,    -Inf, 0,   0, NaN",
      "-Inf, 0,    Inf,  0,   0, NaN",
      "10.4, 10.6, 80,   10, 10, 80",
  })
  void nonFiniteAnswersCountAsNoDataAndErrorsNeverExceedRequests(String requests, String errors, String p99,
      long expectedRequests, long expectedErrors, double expectedP99) {
    CANARY_QUERIES.serve(prometheus, requests, errors, p99);

    assertThat(source().build().query(SPEC, CANARY, FROM, TO))
        .isEqualTo(new TrafficSample(expectedRequests, expectedErrors, expectedP99));
  }

  @Test
  void theRangeIsTheWindowLengthAndTheTimeItsEnd() {
    IstioQueries ninetySeconds = IstioQueries.of("shop", "checkout-canary", "90s");
    IstioQueries fractional = IstioQueries.of("shop", "checkout-canary", "1500ms");
    ninetySeconds.serve(prometheus, "9", "0", "1");
    fractional.serve(prometheus, "2", "0", "1");
    PrometheusMetricSource source = source().build();

    assertThat(source.query(SPEC, CANARY, FROM, FROM.plusSeconds(90)).requests()).isEqualTo(9);
    assertThat(source.query(SPEC, CANARY, FROM, FROM.plusMillis(1500)).requests()).isEqualTo(2);

    assertThat(prometheus.received()).extracting(FakePrometheus.Received::time)
        .containsExactly("1795406490", "1795406490", "1795406490", "1795406401.5", "1795406401.5", "1795406401.5");
  }

  @Test
  void aWindowThatDoesNotMoveForwardIsRefusedUnsent() {
    assertThatThrownBy(() -> source().build().query(SPEC, CANARY, TO, TO))
        .isInstanceOf(CanaryException.class)
        .hasMessageContaining("checkout-canary@7f9c2")
        .hasMessageContaining("the window must start before it ends, was from 2026-11-23T04:01:00Z to 2026-11-23T04:01:00Z");
    assertThat(prometheus.received()).isEmpty();
  }

  @Test
  void podLabelsAndFixedLabelsNarrowTheSelector() {
    prometheus.answerEveryQuery(200, FakePrometheus.vector("1"));

    source().selectByVersionLabel("version").selectByPodLabel("canary.io/revision", "canary_revision")
        .matchLabel("destination_cluster", "east").reporter("waypoint").errorResponseCodes("5..|429")
        .build().query(SPEC, CANARY, FROM, TO);

    String selector = "reporter=\"waypoint\",destination_workload_namespace=\"shop\",destination_workload=\"checkout-canary\","
        + "canary_revision=\"7f9c2\",destination_version=\"v2\",destination_cluster=\"east\"";
    assertThat(prometheus.queries()).containsExactlyInAnyOrder(
        "sum(increase(istio_requests_total{" + selector + "}[60s]))",
        "sum(increase(istio_requests_total{" + selector + ",response_code=~\"5..|429\"}[60s]))",
        "histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{" + selector + "}[60s])))");
  }

  @Test
  void aRevisionWithoutTheSelectedPodLabelIsAClearErrorAndNothingIsSent() {
    Revision unlabelled = new Revision("checkout-canary", "7f9c2", Map.of("app", "checkout"));

    assertThatThrownBy(() -> source().selectByVersionLabel("version").build().query(SPEC, unlabelled, FROM, TO))
        .isInstanceOf(CanaryException.class)
        .hasMessageContaining("checkout-canary@7f9c2 in shop/checkout")
        .hasMessageContaining("has no pod label version to select destination_version by")
        .hasMessageContaining("{app=checkout}");
    assertThat(prometheus.received()).isEmpty();
  }

  @Test
  void labelValuesAreEscapedSoNoValueCanAddPromQl() {
    prometheus.answerEveryQuery(200, FakePrometheus.vector("1"));
    Revision hostile = new Revision("x\"} or vector(1e9) or up{a=\"\\", "h", Map.of("version", "v\n2"));

    source().selectByVersionLabel("version").matchLabel("destination_cluster", "c\\\"}")
        .errorResponseCodes("5\\d\\d").build().query(SPEC, hostile, FROM, TO);

    String selector = "reporter=\"destination\",destination_workload_namespace=\"shop\","
        + "destination_workload=\"x\\\"} or vector(1e9) or up{a=\\\"\\\\\","
        + "destination_version=\"v\\n2\",destination_cluster=\"c\\\\\\\"}\"";
    assertThat(prometheus.queries()).containsExactlyInAnyOrder(
        "sum(increase(istio_requests_total{" + selector + "}[60s]))",
        "sum(increase(istio_requests_total{" + selector + ",response_code=~\"5\\\\d\\\\d\"}[60s]))",
        "histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{" + selector + "}[60s])))");
  }

  @Test
  void aPrometheusErrorAnswerNamesTheUrlTheQueryAndTheError() {
    prometheus.answer(CANARY_QUERIES.requests(), 400, FakePrometheus.error("bad_data", "1:5: parse error: unexpected"));
    prometheus.answer(CANARY_QUERIES.errors(), "0").answer(CANARY_QUERIES.latencyP99(), "1");

    assertThatThrownBy(() -> source().build().query(SPEC, CANARY, FROM, TO))
        .isInstanceOf(CanaryException.class)
        .hasMessage("Prometheus at " + prometheus.baseUrl() + "/api/v1/query answered HTTP 400 (bad_data: 1:5: parse error:"
            + " unexpected); query: " + CANARY_QUERIES.requests() + " at time=1795406460");
  }

  @Test
  void aServerErrorPageIsQuotedInTheError() {
    prometheus.answerEveryQuery(500, "<html>\n  <body>upstream connect error</body>\n</html>");

    assertThatThrownBy(() -> source().build().query(SPEC, CANARY, FROM, TO))
        .isInstanceOf(CanaryException.class)
        .hasMessageStartingWith("Prometheus at " + prometheus.baseUrl() + "/api/v1/query answered HTTP 500 with body: "
            + "<html> <body>upstream connect error</body> </html>; query: ")
        .hasMessageEndingWith(" at time=1795406460");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "not json at all",
      "{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":\"query timed out in expression evaluation\"}",
      "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}",
      "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"a\":\"1\"},\"value\":[1,\"1\"]},"
          + "{\"metric\":{\"a\":\"2\"},\"value\":[1,\"2\"]}]}}",
      "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"many\"]}]}}",
      "[1, 2]",
  })
  void anAnswerThatIsNotOneValueIsAnErrorThatQuotesIt(String body) {
    prometheus.answerEveryQuery(200, body);

    CanaryException e = catchThrowableOfType(CanaryException.class, () -> source().build().query(SPEC, CANARY, FROM, TO));

    assertThat(e).isNotNull();
    assertThat(e.getMessage()).startsWith("Prometheus at " + prometheus.baseUrl() + "/api/v1/query answered ")
        .contains("; query: ");
    String quoted = body.contains("query timed out") ? "(timeout: query timed out in expression evaluation)" : body;
    assertThat(e.getMessage()).contains(quoted);
  }

  @Test
  void noAnswerWithinTheTimeoutIsAnErrorNamingTheWait() {
    prometheus.hang();

    assertThatThrownBy(() -> source().requestTimeout(Duration.ofMillis(200)).build().query(SPEC, CANARY, FROM, TO))
        .isInstanceOf(CanaryException.class)
        .hasMessageStartingWith("Prometheus at " + prometheus.baseUrl() + "/api/v1/query did not answer within PT0.2S; query: ");
  }

  @Test
  void aBodyThatStopsHalfwayTimesOutToo() {
    prometheus.answerEveryQuery(200, FakePrometheus.vector("1")).stallBody();

    assertThatThrownBy(() -> source().requestTimeout(Duration.ofMillis(200)).build().query(SPEC, CANARY, FROM, TO))
        .isInstanceOf(CanaryException.class)
        .hasMessageStartingWith("Prometheus at " + prometheus.baseUrl() + "/api/v1/query did not answer within PT0.2S; query: ");
  }

  @Test
  void aRefusedConnectionIsAnErrorNamingTheUrl() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    PrometheusMetricSource source = PrometheusMetricSource.builder().baseUrl("http://127.0.0.1:" + closedPort).build();

    assertThatThrownBy(() -> source.query(SPEC, CANARY, FROM, TO))
        .isInstanceOf(CanaryException.class)
        .hasMessageStartingWith("Prometheus at http://127.0.0.1:" + closedPort + "/api/v1/query could not be reached (")
        .hasMessageContaining("ConnectException")
        .hasMessageContaining("; query: sum(increase(istio_requests_total{");
  }

  @Test
  void theBearerTokenAndHeadersGoWithEveryQueryButNeverIntoAnError() {
    PrometheusMetricSource source = source().bearerToken("s3cr3t-token").header("X-Scope-OrgID", "team-a").build();
    prometheus.answerEveryQuery(200, FakePrometheus.vector("1"));
    source.query(SPEC, CANARY, FROM, TO);
    assertThat(prometheus.received()).hasSize(3).allSatisfy(r -> {
      assertThat(r.header("Authorization")).isEqualTo("Bearer s3cr3t-token");
      assertThat(r.header("X-Scope-OrgID")).isEqualTo("team-a");
    });

    // A failing query stops the others early, so only the error message is checked here.
    prometheus.answerEveryQuery(503, FakePrometheus.error("unavailable", "the store is starting"));
    assertThatThrownBy(() -> source.query(SPEC, CANARY, FROM, TO))
        .isInstanceOf(CanaryException.class)
        .hasMessageContaining("HTTP 503 (unavailable: the store is starting)")
        .satisfies(e -> assertThat(e.toString()).doesNotContain("s3cr3t"));
  }

  @Test
  void aRotatingTokenIsAskedForEveryQuery() {
    AtomicInteger issued = new AtomicInteger();
    CANARY_QUERIES.serve(prometheus, "1", "0", "1");
    PrometheusMetricSource source = source().bearerToken(() -> "token-" + issued.incrementAndGet()).build();

    source.query(SPEC, CANARY, FROM, TO);
    source.query(SPEC, CANARY, FROM, TO);

    assertThat(prometheus.received()).extracting(r -> r.header("Authorization"))
        .containsExactlyInAnyOrder("Bearer token-1", "Bearer token-2", "Bearer token-3", "Bearer token-4",
            "Bearer token-5", "Bearer token-6");
  }

  @Test
  void aTokenThatCannotBeAHeaderIsRefusedWithoutQuotingIt() {
    PrometheusMetricSource source = source().bearerToken(() -> "line1\nsecret-part").build();

    assertThatThrownBy(() -> source.query(SPEC, CANARY, FROM, TO))
        .isInstanceOf(CanaryException.class)
        .hasMessageContaining("the bearer token for Prometheus at " + prometheus.baseUrl() + "/api/v1/query is not a valid HTTP header value")
        .satisfies(e -> assertThat(e.toString()).doesNotContain("secret-part"));
    assertThat(prometheus.received()).isEmpty();
  }

  @Test
  void aBaseUrlPathPrefixIsKept() {
    PrometheusMetricSource source = PrometheusMetricSource.builder().baseUrl(prometheus.baseUrl() + "/prometheus/").build();
    CANARY_QUERIES.serve(prometheus, "5", "0", "1");

    assertThat(source.queryEndpoint()).hasToString(prometheus.baseUrl() + "/prometheus/api/v1/query");
    assertThat(source.query(SPEC, CANARY, FROM, TO).requests()).isEqualTo(5);
    assertThat(prometheus.received()).extracting(FakePrometheus.Received::path)
        .containsOnly("/prometheus/api/v1/query");
  }

  @Test
  void theBuilderRefusesBadValuesNamingTheField() {
    assertThatThrownBy(() -> PrometheusMetricSource.builder().build())
        .hasMessage("PrometheusMetricSource baseUrl is required, for example http://prometheus.istio-system:9090");
    assertThatThrownBy(() -> PrometheusMetricSource.builder().baseUrl("prometheus:9090"))
        .hasMessageContaining("baseUrl must be an http or https URL with a host");
    assertThatThrownBy(() -> PrometheusMetricSource.builder().baseUrl("http://admin:hunter2@prometheus:9090"))
        .hasMessageContaining("baseUrl must not hold credentials")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    assertThatThrownBy(() -> PrometheusMetricSource.builder().baseUrl("http://prometheus:9090/?x=1"))
        .hasMessageContaining("baseUrl must have no query or fragment");
    assertThatThrownBy(() -> PrometheusMetricSource.builder().baseUrl("http://prometheus:9090 /"))
        .hasMessageContaining("baseUrl is not a URL");
    assertThatThrownBy(() -> PrometheusMetricSource.builder().requestTimeout(Duration.ZERO))
        .hasMessage("PrometheusMetricSource requestTimeout must be at least 1ms, was PT0S");
    assertThatThrownBy(() -> PrometheusMetricSource.builder().bearerToken(" "))
        .hasMessage("PrometheusMetricSource bearerToken must not be empty");
    assertThatThrownBy(() -> PrometheusMetricSource.builder().header("Host", "prometheus"))
        .hasMessageContaining("header Host cannot be sent");
    assertThatThrownBy(() -> PrometheusMetricSource.builder().header("X-Token", "a\nb"))
        .hasMessageContaining("header X-Token cannot be sent");
    assertThatThrownBy(() -> PrometheusMetricSource.builder().matchLabel("destination-cluster", "east"))
        .hasMessageContaining("matchLabel metricLabel 'destination-cluster' is not a Prometheus label name");
    assertThatThrownBy(() -> PrometheusMetricSource.builder().matchLabel("__name__", "up"))
        .hasMessageContaining("'__name__' is not a Prometheus label name");
    assertThatThrownBy(() -> PrometheusMetricSource.builder().matchLabel("destination_workload", "other"))
        .hasMessageContaining("matchLabel metricLabel 'destination_workload' is already selected");
    assertThatThrownBy(() -> PrometheusMetricSource.builder().selectByVersionLabel("version").matchLabel("destination_version", "v1"))
        .hasMessageContaining("'destination_version' is already selected");
    assertThatThrownBy(() -> PrometheusMetricSource.builder().errorResponseCodes("5(.."))
        .hasMessageContaining("errorResponseCodes is not a regular expression");
    assertThatThrownBy(() -> PrometheusMetricSource.builder().reporter(""))
        .hasMessageContaining("reporter must not be empty");
    assertThatThrownBy(() -> PrometheusMetricSource.builder().baseUrl("http://p:9090").bearerToken("t")
        .header("authorization", "Basic eA==").build())
        .hasMessage("PrometheusMetricSource has both a bearerToken and an Authorization header; give one of them");
  }

  @Test
  void theBuiltSourceDoesNotChangeWhenItsBuilderIsReused() {
    prometheus.answerEveryQuery(200, FakePrometheus.vector("1"));
    PrometheusMetricSource.Builder builder = source().matchLabel("destination_cluster", "east");
    PrometheusMetricSource source = builder.build();
    builder.matchLabel("destination_canonical_revision", "v9");

    source.query(SPEC, CANARY, FROM, TO);

    assertThat(prometheus.queries()).isNotEmpty().noneMatch(q -> q.contains("destination_canonical_revision"));
    assertThat(List.copyOf(prometheus.queries())).allMatch(q -> q.contains("destination_cluster=\"east\""));
  }
}
