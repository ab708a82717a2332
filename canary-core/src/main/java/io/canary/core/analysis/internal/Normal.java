package io.canary.core.analysis.internal;

/** The standard normal distribution's upper tail, without a statistics library in the core. */
final class Normal {
  private Normal() {}

  /** P(Z > z), from the complementary error function (Numerical Recipes' erfc, relative error under 1.2e-7). */
  static double upperTail(double z) {
    return erfc(z / Math.sqrt(2)) / 2;
  }

  private static double erfc(double x) {
    double t = 1 / (1 + 0.5 * Math.abs(x));
    double r = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
        + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
        + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? r : 2 - r;
  }
}
