package io.canary.istio.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.istio.telemetry.internal.PromQl.Matcher;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromQlTest {
  @Test
  void quotingEscapesEverythingThatCouldEndTheStringEarly() {
    assertThat(PromQl.quote("checkout-canary")).isEqualTo("\"checkout-canary\"");
    assertThat(PromQl.quote("a\"b")).isEqualTo("\"a\\\"b\"");
    assertThat(PromQl.quote("a\\")).isEqualTo("\"a\\\\\"");
    assertThat(PromQl.quote("a\\\"} or vector(1)")).isEqualTo("\"a\\\\\\\"} or vector(1)\"");
    assertThat(PromQl.quote("l1\nl2\r\t")).isEqualTo("\"l1\\nl2\\r\\t\"");
    assertThat(PromQl.quote("bell\u0007")).isEqualTo("\"bell\\u0007\"");
    assertThat(PromQl.quote("grüße ✓")).isEqualTo("\"grüße ✓\"");
  }

  @Test
  void aSelectorListsItsMatchersInOrder() {
    assertThat(PromQl.selector("istio_requests_total",
        List.of(Matcher.equal("reporter", "destination"), Matcher.matching("response_code", "5.."))))
        .isEqualTo("istio_requests_total{reporter=\"destination\",response_code=~\"5..\"}");
  }

  @Test
  void rangesAreWholeSecondsOrMilliseconds() {
    assertThat(PromQl.range(Duration.ofMinutes(5))).isEqualTo("300s");
    assertThat(PromQl.range(Duration.ofMillis(2250))).isEqualTo("2250ms");
    assertThat(PromQl.range(Duration.ofNanos(1_000_900_000))).as("PromQL has no unit below ms").isEqualTo("1s");
    assertThatThrownBy(() -> PromQl.range(Duration.ofNanos(999_999)))
        .hasMessage("a PromQL range must be at least 1ms, was PT0.000999999S");
  }

  @Test
  void timesAreDecimalUnixSeconds() {
    assertThat(PromQl.time(Instant.parse("2026-11-23T04:01:00Z"))).isEqualTo("1795406460");
    assertThat(PromQl.time(Instant.parse("2026-11-23T04:01:00.250Z"))).isEqualTo("1795406460.25");
    assertThat(PromQl.time(Instant.EPOCH)).isEqualTo("0");
  }

  @Test
  void labelNamesFollowPrometheusRules() {
    assertThat(PromQl.isLabelName("destination_version")).isTrue();
    assertThat(PromQl.isLabelName("_private")).isTrue();
    assertThat(PromQl.isLabelName("9lives")).isFalse();
    assertThat(PromQl.isLabelName("app.kubernetes.io/version")).isFalse();
    assertThat(PromQl.isLabelName("__name__")).isFalse();
    assertThat(PromQl.isLabelName("")).isFalse();
    assertThat(PromQl.isLabelName(null)).isFalse();
  }
}
