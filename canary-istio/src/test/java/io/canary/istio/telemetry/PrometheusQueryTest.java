package io.canary.istio.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.Revision;
import io.canary.core.Revisions;
import io.canary.core.spi.AnalysisContext;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The user's PromQL templates: variables filled in and escaped, sent at the window's end. */
class PrometheusQueryTest {
  final FakePrometheus prometheus = FakePrometheus.start();
  final PrometheusMetricSource istio = PrometheusMetricSource.builder().baseUrl(prometheus.baseUrl())
      .requestTimeout(Duration.ofSeconds(5)).build();
  final AnalysisContext ctx = PrometheusAnalysisTest.CONTEXT;

  @AfterEach
  void stop() {
    prometheus.close();
  }

  @Test
  void everyVariableIsFilledInFromTheRolloutAndTheWindow() {
    PrometheusQuery q = istio.query("x{ns=\"{{namespace}}\",n=\"{{ name }}\",t=\"{{ target }}\",s=\"{{ stable_workload }}\","
        + "c=\"{{ canary_workload }}\",ss=\"{{ stable_service }}\",cs=\"{{ canary_service }}\",sh=\"{{ stable_hash }}\","
        + "ch=\"{{ canary_hash }}\"}[{{ window }}] offset {{ interval }}");
    assertThat(q.render(ctx)).isEqualTo("x{ns=\"shop\",n=\"checkout\",t=\"checkout\",s=\"checkout\",c=\"checkout-canary\","
        + "ss=\"checkout\",cs=\"checkout\",sh=\"a1\",ch=\"b2\"}[60s] offset 60s");
  }

  @Test
  void aValueIsEscapedSoItCannotEndTheUsersQuotes() {
    AnalysisContext odd = new AnalysisContext(ctx.spec(), new Revisions(new Revision("checkout", "a\"}or vector(1)", Map.of()),
        ctx.revisions().canary()), 20, 1, ctx.windowStart(), ctx.windowEnd());
    assertThat(istio.query("x{h=\"{{ stable_hash }}\"}").render(odd)).isEqualTo("x{h=\"a\\\"}or vector(1)\"}");
  }

  @Test
  void theValueIsReadAtTheWindowsEndAndNoDataIsNaN() {
    PrometheusQuery q = istio.query("sum(rate(x{w=\"{{ canary_workload }}\"}[{{ window }}]))");
    prometheus.answer("sum(rate(x{w=\"checkout-canary\"}[60s]))", "0.25");
    assertThat(q.value(ctx)).isEqualTo(0.25);
    assertThat(prometheus.received().get(0).time()).isEqualTo("1795406460");
    prometheus.answer("sum(rate(x{w=\"checkout-canary\"}[60s]))", 200, FakePrometheus.emptyVector());
    assertThat(q.value(ctx)).isNaN();
  }

  @Test
  void anUnknownVariableIsRefusedNamingItAndTheKnownOnes() {
    assertThatThrownBy(() -> istio.query("x{w=\"{{ canary }}\"}"))
        .hasMessageStartingWith("PrometheusQuery template has an unknown variable {{ canary }}; known: [canary_hash,");
    assertThatThrownBy(() -> istio.query("x{w=\"{{ canary_workload \"}")).hasMessageContaining("'{{' or '}}' that is not a variable");
  }

  @Test
  void theLatencyHistogramIsReadByBucket() {
    String q = "sum by (le) (increase(istio_request_duration_milliseconds_bucket{reporter=\"destination\","
        + "destination_workload_namespace=\"shop\",destination_workload=\"checkout-canary\"}[60s]))";
    prometheus.answer(q, 200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
        + "{\"metric\":{\"le\":\"+Inf\"},\"value\":[1,\"10\"]},{\"metric\":{\"le\":\"100\"},\"value\":[1,\"7.9\"]},"
        + "{\"metric\":{\"le\":\"50\"},\"value\":[1,\"8.1\"]}]}}");
    assertThat(istio.latency(ctx.spec(), ctx.revisions().canary(), ctx.windowStart(), ctx.windowEnd()))
        .isEqualTo(new io.canary.core.spi.LatencyHistogram(java.util.List.of(50.0, 100.0, Double.POSITIVE_INFINITY),
            java.util.List.of(8L, 8L, 10L)));
  }
}
