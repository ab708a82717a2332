package io.canary.core.analysis.internal;

import io.canary.core.spi.LatencyHistogram;

/**
 * Whether the canary's requests take longer than stable's: a Mann-Whitney (Wilcoxon rank-sum) test over
 * request-duration histograms, as Kayenta's judge compares two samples, stratified by window.
 *
 * <p>In each window, {@code U} counts the (canary, stable) request pairs in which the canary's was slower,
 * ties (same bucket) counting one half; under the null hypothesis (same duration distribution) its
 * mean is {@code nc ns / 2} and its variance {@code nc ns / 12 (N + 1 - sum(t^3 - t) / (N (N - 1)))},
 * with {@code t} the requests per bucket. Summing the windows' {@code U - mean} and variances
 * (van Elteren's stratified test, unweighted) keeps the test valid when the weights and the load change
 * from window to window. Repeated looks are paid for by spending alpha: look {@code k} tests at
 * {@code alpha 6 / (pi^2 k^2)}, which sum to at most {@code alpha} over any number of looks.
 */
public final class RankTest {
  private double uMinusMean;
  private double variance;
  private double pairs;
  private double u;
  private int looks;

  /** Adds one window's histograms (with the same buckets); an empty side tells nothing. */
  public void add(LatencyHistogram canary, LatencyHistogram stable) {
    if (canary.total() == 0 || stable.total() == 0) {
      return;
    }
    if (!canary.sameBucketsAs(stable)) {
      throw new IllegalArgumentException("canary and stable latency histograms have different buckets: "
          + canary.upperBoundsMillis() + " and " + stable.upperBoundsMillis());
    }
    double nc = canary.total();
    double ns = stable.total();
    double n = nc + ns;
    double windowU = 0;
    double ties = 0;
    double stableBelow = 0;
    for (int b = 0; b < canary.upperBoundsMillis().size(); b++) {
      double c = canary.bucketCount(b);
      double s = stable.bucketCount(b);
      windowU += c * (stableBelow + s / 2);
      stableBelow += s;
      double t = c + s;
      ties += t * t * t - t;
    }
    u += windowU;
    pairs += nc * ns;
    uMinusMean += windowU - nc * ns / 2;
    variance += nc * ns / 12 * (n + 1 - (n > 1 ? ties / (n * (n - 1)) : 0));
  }

  /** Counts one look at the evidence and answers its one-sided p-value. */
  public double look() {
    looks++;
    return pValue();
  }

  public double pValue() {
    if (variance <= 0) {
      return 1;
    }
    return Normal.upperTail(uMinusMean / Math.sqrt(variance));
  }

  /** The alpha look {@code k} (from 1) may spend. */
  public static double alphaAtLook(double alpha, int k) {
    return alpha * 6 / (Math.PI * Math.PI * k * (double) k);
  }

  public int looks() {
    return looks;
  }

  /** The estimated chance that a canary request is slower than a stable one (ties half); NaN with no pairs. */
  public double probabilityCanarySlower() {
    return pairs == 0 ? Double.NaN : u / pairs;
  }

  public boolean hasData() {
    return pairs > 0;
  }
}
