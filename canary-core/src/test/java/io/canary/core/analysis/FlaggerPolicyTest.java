package io.canary.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.AnalysisSpec;
import io.canary.core.Step;
import io.canary.core.analysis.Judging.Figures;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.Verdict;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlaggerPolicyTest {
  final Figures figures = new Figures();
  final FlaggerPolicy flagger = FlaggerPolicy.builder().source(figures).build();

  @Test
  void theDefaultsAreFlaggers() {
    AnalysisSpec analysis = flagger.analysis();
    assertThat(analysis.interval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(analysis.successfulRuns()).isEqualTo(1);
    assertThat(analysis.failureLimit()).as("rolls back at the 5th failed check").isEqualTo(4);
    List<Step> steps = flagger.steps();
    assertThat(steps).hasSize(10);
    assertThat(steps.stream().filter(s -> s instanceof Step.SetWeight).map(s -> ((Step.SetWeight) s).weight()))
        .containsExactly(10, 20, 30, 40, 50);
  }

  @Test
  void theGateChecksSuccessRateAndP99AgainstFlaggersThresholds() {
    figures.samples.put("checkout-canary", new io.canary.core.spi.TrafficSample(1000, 5, 120));
    figures.samples.put("checkout", new io.canary.core.spi.TrafficSample(9000, 9, 100));
    assertThat(flagger.gate().evaluate(Judging.window(0)).verdict()).isEqualTo(Verdict.PASS);

    figures.samples.put("checkout-canary", new io.canary.core.spi.TrafficSample(1000, 5, 700));
    AnalysisResult slow = flagger.gate().evaluate(Judging.window(1));
    assertThat(slow.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(slow.message()).startsWith("request-duration FAIL: canary 700, stable 100; rule <= 500.0");

    figures.samples.put("checkout-canary", new io.canary.core.spi.TrafficSample(1000, 20, 120));
    assertThat(flagger.gate().evaluate(Judging.window(2)).message()).startsWith("request-success-rate FAIL: canary 0.9800");
  }

  @Test
  void aCanaryWithoutRequestsIsInconclusive() {
    figures.set(0, 0, 9000, 9);
    assertThat(flagger.gate().evaluate(Judging.window(0)).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
  }

  @Test
  void badSettingsAreRefusedNamingTheField() {
    assertThatThrownBy(() -> FlaggerPolicy.builder().source(figures).maxWeight(5).build())
        .hasMessage("FlaggerPolicy.maxWeight must be within stepWeight (10)..100, was 5");
    assertThatThrownBy(() -> FlaggerPolicy.builder().source(figures).threshold(0).build())
        .hasMessage("FlaggerPolicy.threshold must be at least 1, was 0");
  }
}
