package io.canary.core.analysis.internal;

/**
 * An always-valid test of whether the canary fails more often than stable: a mixture sequential
 * probability ratio test on the share of failed requests that fall on the canary.
 *
 * <p>Within one window, say the canary served {@code nc} requests and stable {@code ns}, and their
 * failures are rare events at rates {@code pc} and {@code ps = pc / rho}. Given that {@code e} requests
 * failed in all, each failure is the canary's with probability
 * {@code theta(rho) = rho nc / (rho nc + ns)}, whatever the common rate, so the failures' split is a
 * binomial draw with a known probability under the null hypothesis. Windows with different weights
 * simply have different {@code theta}s: the test stays valid while the weights change, and a stable
 * rate that varies over time cancels out too.
 *
 * <p>Null hypothesis: {@code rho <= rho0} (the canary at most {@code rho0} times as likely to fail: a
 * minimum effect size). For each alternative {@code rho_k > rho0} of a fixed grid the likelihood ratio
 * against {@code rho0} is a nonnegative supermartingale under the null (the binomial family's ratios
 * are monotone), and so is their weighted average (weights fixed in advance, summing to 1), which
 * starts at 1. Ville's inequality then bounds the chance that it ever reaches {@code 1/alpha}, at any of
 * however many looks, by {@code alpha}.
 *
 * <p>The mixture is weighted to what a canary is for, a bad release stopped after few failed requests:
 * its mass is on canaries 3 to 12 times {@code rho0} (3.3 to 13 times stable's rate at the default 1.1),
 * with a tenth on one that always fails. An alternative of weight {@code w} costs {@code log(1/w)} of
 * evidence, so few alternatives near the effects that matter reach {@code 1/alpha} after fewer failed
 * requests; a canary only 1.5 to 2 times worse is caught later (through the 3x alternative).
 */
public final class ErrorShareTest {
  /** Alternatives as multiples of rho0. */
  private static final double[] ALTERNATIVES = {3, 6, 12, 1000};
  /** Their weights in the mixture, in tenths, fixed in advance: 0.3, 0.4, 0.2, 0.1 (a proper prior, summing to 1). */
  private static final int[] TENTHS = {3, 4, 2, 1};

  private final double rho0;
  private final double[] logRatios = new double[ALTERNATIVES.length];
  private long canaryErrors;
  private long allErrors;
  private double expectedCanaryErrors;

  public ErrorShareTest(double rho0) {
    this.rho0 = rho0;
  }

  /** Adds one window's figures; a window without canary or stable requests, or without failures, tells nothing. */
  public void add(long canaryRequests, long canaryFailures, long stableRequests, long stableFailures) {
    long failures = canaryFailures + stableFailures;
    if (canaryRequests <= 0 || stableRequests <= 0 || failures == 0) {
      return;
    }
    double null0 = share(rho0, canaryRequests, stableRequests);
    for (int k = 0; k < ALTERNATIVES.length; k++) {
      double alt = share(rho0 * ALTERNATIVES[k], canaryRequests, stableRequests);
      logRatios[k] += canaryFailures * Math.log(alt / null0) + stableFailures * Math.log((1 - alt) / (1 - null0));
    }
    canaryErrors += canaryFailures;
    allErrors += failures;
    expectedCanaryErrors += failures * share(1, canaryRequests, stableRequests);
  }

  private static double share(double rho, long canaryRequests, long stableRequests) {
    return rho * canaryRequests / (rho * canaryRequests + stableRequests);
  }

  /** The mixture likelihood ratio (an e-value): the evidence that the canary fails more than rho0 times as often. */
  public double eValue() {
    double max = Double.NEGATIVE_INFINITY;
    for (double l : logRatios) {
      max = Math.max(max, l);
    }
    double sum = 0;
    for (int k = 0; k < logRatios.length; k++) {
      sum += TENTHS[k] * Math.exp(logRatios[k] - max);
    }
    double log = max + Math.log(sum / 10);
    return log > 700 ? Double.POSITIVE_INFINITY : Math.exp(log);
  }

  /** Failed requests that fell on the canary, over every window added. */
  public long canaryErrors() {
    return canaryErrors;
  }

  public long allErrors() {
    return allErrors;
  }

  /** Failures the canary would have had with stable's rate, given the split of requests. */
  public double expectedCanaryErrors() {
    return expectedCanaryErrors;
  }
}
