package io.canary.core;

import java.time.Duration;

/** Formats durations the way users write them: 10s, 1m, 1h30m. */
public final class Durations {
  private Durations() {}

  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder b = new StringBuilder();
    if (d.isNegative()) {
      b.append('-');
      d = d.negated();
    }
    long h = d.toHours();
    long m = d.toMinutesPart();
    long s = d.toSecondsPart();
    long ms = d.toMillisPart();
    if (h > 0) b.append(h).append('h');
    if (m > 0) b.append(m).append('m');
    if (s > 0) b.append(s).append('s');
    if (ms > 0) b.append(ms).append("ms");
    return b.toString();
  }
}
