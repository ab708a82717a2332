package io.canary.core.analysis;

import static io.canary.core.analysis.Judging.BOUNDS;
import static io.canary.core.analysis.Judging.window;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.analysis.Judging.Figures;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.Check;
import io.canary.core.spi.LatencyHistogram;
import io.canary.core.spi.Verdict;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SequentialJudgeTest {
  final Figures figures = new Figures();
  final SequentialJudge judge = SequentialJudge.builder().source(figures).build();

  @Test
  void falseAlarmsOnHealthyCanariesStayWithinAlphaOverManySeedsAndLooks() {
    double alpha = 0.05;
    int runs = 2000;
    int failed = 0;
    for (int seed = 0; seed < runs; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      Figures healthy = new Figures();
      SequentialJudge j = SequentialJudge.builder().source(healthy).alpha(alpha).minRelativeIncrease(1)
          .minAbsoluteIncrease(0).build();
      // 30 looks while the weight climbs from 10 to 50 %: 100 req/s, both revisions at 1 % errors.
      for (int look = 0; look < 30; look++) {
        int canary = 600 * (10 + 40 * look / 29) / 100;
        healthy.set(canary, binomial(random, canary, 0.01), 6000 - canary, binomial(random, 6000 - canary, 0.01));
        if (j.evaluate(window(look)).verdict() == Verdict.FAIL) {
          failed++;
          break;
        }
      }
    }
    // Ville's inequality bounds the rate by alpha whatever the number of looks; with no minimum effect
    // the bound is nearly reached, so the margin is the sampling error of 2,000 runs.
    assertThat((double) failed / runs).isLessThanOrEqualTo(alpha + 0.01);
  }

  private static long binomial(SplittableRandom random, int n, double p) {
    long k = 0;
    for (int i = 0; i < n; i++) {
      k += random.nextDouble() < p ? 1 : 0;
    }
    return k;
  }

  @Test
  void aCanaryThreeTimesWorseThanStableFailsAndTheVerdictNamesTheFigures() {
    figures.set(1000, 15, 9000, 45);
    AnalysisResult first = judge.evaluate(window(0));
    figures.set(1000, 16, 9000, 44);
    AnalysisResult second = judge.evaluate(window(1));

    assertThat(first.verdict()).isEqualTo(Verdict.PASS);
    assertThat(second.verdict()).isEqualTo(Verdict.FAIL);
    Check errorShare = second.checks().stream().filter(c -> c.name().equals("error-share")).findFirst().orElseThrow();
    assertThat(errorShare.canaryValue()).isEqualTo(31 / 2000.0);
    assertThat(errorShare.stableValue()).isEqualTo(89 / 18000.0);
    assertThat(errorShare.rule()).contains("e-value >= 100 (alpha 0.01)");
    assertThat(errorShare.reason()).contains("31 of 120 failed requests on the canary, 12.0 expected");
    assertThat(second.message()).startsWith("error-share FAIL: canary 0.0155, stable 0.0049");
  }

  @Test
  void aCanaryAsGoodAsStablePassesOnceBothServedEnoughRequests() {
    figures.set(1000, 5, 9000, 45);
    assertThat(judge.evaluate(window(0)).verdict()).isEqualTo(Verdict.PASS);
  }

  @Test
  void noRequestsOnTheCanaryIsInconclusiveNeverAPass() {
    figures.set(0, 0, 9000, 45);
    for (int i = 0; i < 10; i++) {
      AnalysisResult result = judge.evaluate(window(i));
      assertThat(result.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
      assertThat(result.message()).contains("the canary served no request in this window");
    }
  }

  @Test
  void tooFewRequestsIsInconclusiveUntilEnoughHaveAddedUp() {
    figures.set(40, 0, 9000, 45);
    assertThat(judge.evaluate(window(0)).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(judge.evaluate(window(1)).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(judge.evaluate(window(2)).verdict()).as("120 canary requests since the start").isEqualTo(Verdict.PASS);
  }

  @Test
  void aCrashingCanaryFailsBeforeItServedEnoughRequestsForAPass() {
    figures.set(20, 20, 9000, 45);
    AnalysisResult result = judge.evaluate(window(0));
    assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(result.checks()).extracting(Check::name, Check::decision)
        .contains(org.assertj.core.groups.Tuple.tuple("traffic", Verdict.INCONCLUSIVE),
            org.assertj.core.groups.Tuple.tuple("error-share", Verdict.FAIL));
  }

  @Test
  void aTriviallySmallAbsoluteDifferenceDoesNotFailEvenWhenItIsCertain() {
    // Three times stable's rate, but 0.06 points apart: under the 0.1 point minimum.
    figures.set(1_000_000, 900, 9_000_000, 2700);
    AnalysisResult result = judge.evaluate(window(0));
    assertThat(result.verdict()).isEqualTo(Verdict.PASS);
    assertThat(result.checks().get(1).reason()).containsPattern("e-value [0-9.]+e\\+[0-9]+");
  }

  @Test
  void aWindowEvaluatedTwiceIsCountedOnce() {
    figures.set(1000, 15, 9000, 45);
    judge.evaluate(window(0));
    AnalysisResult again = judge.evaluate(window(0));
    assertThat(again.checks().get(0).canaryValue()).isEqualTo(1000);
    assertThat(figures.queries).as("no query for a window already counted").isEqualTo(2);
  }

  @Test
  void aRetryStartsTheEvidenceAfresh() {
    figures.set(1000, 40, 9000, 45);
    assertThat(judge.evaluate(window(0, 0)).verdict()).isEqualTo(Verdict.FAIL);
    figures.set(1000, 5, 9000, 45);
    AnalysisResult retried = judge.evaluate(window(1, 1));
    assertThat(retried.verdict()).isEqualTo(Verdict.PASS);
    assertThat(retried.checks().get(0).canaryValue()).isEqualTo(1000);
  }

  @Test
  void aSlowerCanaryFailsTheRankTestAndTheSameDurationsPass() {
    SequentialJudge withLatency = SequentialJudge.builder().source(figures).compareLatency(true).build();
    figures.set(1000, 5, 9000, 45)
        .latency(LatencyHistogram.ofBucketCounts(BOUNDS, 100, 400, 400, 100, 0),
            LatencyHistogram.ofBucketCounts(BOUNDS, 900, 3600, 3600, 900, 0));
    assertThat(withLatency.evaluate(window(0)).verdict()).isEqualTo(Verdict.PASS);

    figures.latency(LatencyHistogram.ofBucketCounts(BOUNDS, 0, 100, 400, 400, 100),
        LatencyHistogram.ofBucketCounts(BOUNDS, 900, 3600, 3600, 900, 0));
    AnalysisResult slower = withLatency.evaluate(window(1));
    assertThat(slower.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(slower.message()).startsWith("latency-rank FAIL");
  }

  @Test
  void noLatencyDataIsInconclusiveWhenLatencyIsCompared() {
    SequentialJudge withLatency = SequentialJudge.builder().source(figures).compareLatency(true).build();
    figures.set(1000, 5, 9000, 45);
    AnalysisResult result = withLatency.evaluate(window(0));
    assertThat(result.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(result.message()).contains("no latency data");
  }

  @Test
  void badSettingsAreRefusedNamingTheField() {
    assertThatThrownBy(() -> SequentialJudge.builder().source(figures).alpha(0).build())
        .hasMessage("SequentialJudge.alpha must be within (0, 0.5], was 0.0");
    assertThatThrownBy(() -> SequentialJudge.builder().source(figures).minRelativeIncrease(0.9).build())
        .hasMessageStartingWith("SequentialJudge.minRelativeIncrease must be within [1, 1000), was 0.9");
    assertThatThrownBy(() -> SequentialJudge.builder().source(figures).minRequests(0).build())
        .hasMessage("SequentialJudge.minRequests must be at least 1, was 0");
  }
}
