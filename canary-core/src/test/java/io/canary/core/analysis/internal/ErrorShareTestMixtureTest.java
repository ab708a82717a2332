package io.canary.core.analysis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The property the judge's error test rests on: its e-value is a test supermartingale under the null. */
class ErrorShareTestMixtureTest {
  private static final double RHO0 = 1.1;

  @Test
  void theMixtureHasExpectationOneOverEachNextWindowAtTheNullsBoundaryAndLessBelowIt() {
    long[][] history = {{0, 0, 0, 0}, {1000, 3, 9000, 40}, {500, 9, 500, 2}, {100, 0, 900, 7}};
    long[][] nextWindows = {{10, 90, 1}, {10, 90, 7}, {50, 50, 12}, {300, 700, 40}, {1, 999, 3}};
    for (long[] h : history) {
      for (long[] next : nextWindows) {
        long nc = next[0];
        long ns = next[1];
        int failures = (int) next[2];
        double before = afterHistory(h).eValue();
        for (double rho : new double[] {RHO0, 1, 0.5}) {
          // Given the failures of the window, the canary's share of them is binomial(failures, theta(rho)).
          double theta = rho * nc / (rho * nc + ns);
          double expected = 0;
          for (int k = 0; k <= failures; k++) {
            ErrorShareTest t = afterHistory(h);
            t.add(nc, k, ns, failures - k);
            expected += binomial(failures, k, theta) * t.eValue();
          }
          if (rho == RHO0) {
            assertThat(expected / before).as("E[e'] / e at rho0, history %s, window %s", h, next).isCloseTo(1, within(1e-9));
          } else {
            assertThat(expected / before).as("E[e'] / e at rho %s", rho).isLessThanOrEqualTo(1 + 1e-12);
          }
        }
      }
    }
  }

  @Test
  void theMixtureStartsAtOneAndAWindowWithoutFailuresChangesNothing() {
    ErrorShareTest t = new ErrorShareTest(RHO0);
    assertThat(t.eValue()).isEqualTo(1.0);
    t.add(100, 0, 900, 0);
    assertThat(t.eValue()).isEqualTo(1.0);
  }

  @Test
  void falseAlarmsWithALookEverySecondStayWithinAlphaAtTheNullsBoundary() {
    // 100 req/s for 305 s, weights 10..50 % a minute each, looked at every second; the canary fails
    // exactly rho0 times as often as stable (the worst case of the null), both as Bernoulli requests.
    double alpha = 0.01;
    int runs = 4000;
    int failed = 0;
    for (int run = 0; run < runs; run++) {
      SplittableRandom random = new SplittableRandom(20261123L + run);
      ErrorShareTest t = new ErrorShareTest(RHO0);
      for (int second = 0; second < 305; second++) {
        int canary = 10 * (1 + Math.min(second / 60, 4));
        int canaryFailures = failures(random, canary, 0.01 * RHO0);
        int stableFailures = failures(random, 100 - canary, 0.01);
        t.add(canary, canaryFailures, 100 - canary, stableFailures);
        if (t.eValue() >= 1 / alpha) {
          failed++;
          break;
        }
      }
    }
    // Ville's inequality: at most alpha however often it is looked at; the margin is three standard
    // errors of 4,000 runs.
    assertThat((double) failed / runs).isLessThanOrEqualTo(alpha + 3 * Math.sqrt(alpha * (1 - alpha) / runs));
  }

  private static ErrorShareTest afterHistory(long[] h) {
    ErrorShareTest t = new ErrorShareTest(RHO0);
    t.add(h[0], h[1], h[2], h[3]);
    return t;
  }

  private static int failures(SplittableRandom random, int requests, double p) {
    int k = 0;
    for (int i = 0; i < requests; i++) {
      k += random.nextDouble() < p ? 1 : 0;
    }
    return k;
  }

  private static double binomial(int n, int k, double p) {
    double logChoose = 0;
    for (int i = 1; i <= k; i++) {
      logChoose += Math.log(n - k + i) - Math.log(i);
    }
    return Math.exp(logChoose + k * Math.log(p) + (n - k) * Math.log1p(-p));
  }
}
