package io.canary.core.analysis;

import static io.canary.core.analysis.Judging.window;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.spi.AnalysisContext;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.Check;
import io.canary.core.spi.Verdict;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ThresholdGateTest {
  /** A query whose next answer the test sets; a null answer makes it throw as an unreachable backend would. */
  static final class Answer implements MetricQuery {
    final AtomicReference<Double> next = new AtomicReference<>();

    @Override
    public String render(AnalysisContext ctx) {
      return "sum(rate(x{w=\"" + ctx.revisions().canary().workload() + "\"}[60s]))";
    }

    @Override
    public double value(AnalysisContext ctx) {
      Double v = next.get();
      if (v == null) {
        throw new IllegalStateException("connection refused");
      }
      return v;
    }
  }

  final Answer query = new Answer();

  @ParameterizedTest(name = "{0} {1} {2}: {3}")
  @CsvSource({
      "AT_LEAST, 0.99, 0.995, PASS", "AT_LEAST, 0.99, 0.99, PASS", "AT_LEAST, 0.99, 0.95, FAIL", "AT_LEAST, 0.99, NaN, INCONCLUSIVE",
      "AT_MOST, 500, 120, PASS", "AT_MOST, 500, 500, PASS", "AT_MOST, 500, 800, FAIL", "AT_MOST, 500, NaN, INCONCLUSIVE"})
  void aRuleHoldsTheValueAgainstItsThresholdAndNoDataIsInconclusive(ThresholdRule.Comparison comparison, double threshold,
      double value, Verdict expected) {
    query.next.set(value);
    ThresholdRule rule = ThresholdRule.builder().name("r").query(query).comparison(comparison).threshold(threshold).build();
    Check check = rule.evaluate(window(0));
    assertThat(check.decision()).isEqualTo(expected);
    assertThat(check.query()).isEqualTo("sum(rate(x{w=\"checkout-canary\"}[60s]))");
    assertThat(check.rule()).isEqualTo(comparison.symbol() + " " + threshold);
  }

  @Test
  void theStableQueryIsShownBesideTheCanaryValue() {
    query.next.set(0.95);
    Answer stable = new Answer();
    stable.next.set(0.999);
    ThresholdGate gate = ThresholdGate.of(ThresholdRule.builder().name("success-rate").query(query).stableQuery(stable)
        .comparison(ThresholdRule.Comparison.AT_LEAST).threshold(0.99).build());
    AnalysisResult result = gate.evaluate(window(0));
    assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(result.message()).isEqualTo(
        "success-rate FAIL: canary 0.9500, stable 0.9990; rule >= 0.99 [sum(rate(x{w=\"checkout-canary\"}[60s]))]");
  }

  @Test
  void anyFailedRuleFailsTheGateAndAllMustPassForAPass() {
    Answer latency = new Answer();
    ThresholdGate gate = ThresholdGate.of(ThresholdRule.atLeast("success-rate", query, 0.99),
        ThresholdRule.atMost("p99", latency, 500));
    query.next.set(0.999);
    latency.next.set(900.0);
    assertThat(gate.evaluate(window(0)).verdict()).isEqualTo(Verdict.FAIL);
    latency.next.set(200.0);
    assertThat(gate.evaluate(window(1)).verdict()).isEqualTo(Verdict.PASS);
    latency.next.set(Double.NaN);
    assertThat(gate.evaluate(window(2)).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
  }

  @Test
  void queryErrorsAreInconclusiveUpToTheConsecutiveErrorLimitThenFail() {
    ThresholdGate gate = ThresholdGate.builder().addRules(ThresholdRule.atLeast("success-rate", query, 0.99))
        .consecutiveErrorLimit(2).build();
    query.next.set(null);
    assertThat(gate.evaluate(window(0)).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(gate.evaluate(window(1)).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    query.next.set(0.999);
    assertThat(gate.evaluate(window(2)).verdict()).as("a good answer resets the count").isEqualTo(Verdict.PASS);
    query.next.set(null);
    gate.evaluate(window(3));
    gate.evaluate(window(4));
    AnalysisResult third = gate.evaluate(window(5));
    assertThat(third.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(third.message()).contains("the metrics could not be read 3 times in a row");
    assertThat(third.checks().get(0).reason()).isEqualTo("the query failed: connection refused");
  }

  @Test
  void badRulesAreRefusedNamingTheField() {
    assertThatThrownBy(() -> ThresholdRule.atLeast("r", query, Double.NaN))
        .hasMessage("ThresholdRule r: threshold must be a finite number, was NaN");
    assertThatThrownBy(() -> ThresholdGate.builder().build()).hasMessageStartingWith("ThresholdGate.rules must hold at least one rule");
    assertThatThrownBy(() -> ThresholdGate.builder().addRules(ThresholdRule.atLeast("r", query, 1)).consecutiveErrorLimit(-1).build())
        .hasMessage("ThresholdGate.consecutiveErrorLimit must be at least 0, was -1");
  }
}
