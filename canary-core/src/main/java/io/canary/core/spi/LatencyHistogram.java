package io.canary.core.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Request durations of one revision over a window, as a Prometheus histogram holds them: for each
 * upper bound (in milliseconds, ascending, the last one usually {@code +Inf}) how many requests took
 * at most that long.
 *
 * @param upperBoundsMillis the buckets' upper bounds ({@code le}), strictly ascending
 * @param cumulativeCounts requests at or under each bound, never decreasing
 */
public record LatencyHistogram(List<Double> upperBoundsMillis, List<Long> cumulativeCounts) {
  public static final LatencyHistogram EMPTY = new LatencyHistogram(List.of(), List.of());

  public LatencyHistogram {
    upperBoundsMillis = List.copyOf(upperBoundsMillis);
    cumulativeCounts = List.copyOf(cumulativeCounts);
    if (upperBoundsMillis.size() != cumulativeCounts.size()) {
      throw new IllegalArgumentException("LatencyHistogram has " + upperBoundsMillis.size() + " upper bounds but "
          + cumulativeCounts.size() + " counts; each bucket needs both");
    }
    for (int i = 0; i < upperBoundsMillis.size(); i++) {
      if (i > 0 && !(upperBoundsMillis.get(i) > upperBoundsMillis.get(i - 1))) {
        throw new IllegalArgumentException("LatencyHistogram upperBoundsMillis must ascend strictly, was " + upperBoundsMillis);
      }
      if (cumulativeCounts.get(i) < (i == 0 ? 0 : cumulativeCounts.get(i - 1))) {
        throw new IllegalArgumentException("LatencyHistogram cumulativeCounts must not decrease or be negative, was "
            + cumulativeCounts);
      }
    }
  }

  /** A histogram from per-bucket counts (not cumulative), as a simulator or a test writes them. */
  public static LatencyHistogram ofBucketCounts(List<Double> upperBoundsMillis, long... bucketCounts) {
    List<Long> cumulative = new ArrayList<>();
    long sum = 0;
    for (long c : bucketCounts) {
      sum += c;
      cumulative.add(sum);
    }
    return new LatencyHistogram(upperBoundsMillis, cumulative);
  }

  /** All requests counted. */
  public long total() {
    return cumulativeCounts.isEmpty() ? 0 : cumulativeCounts.get(cumulativeCounts.size() - 1);
  }

  /** Requests in bucket {@code i} alone. */
  public long bucketCount(int i) {
    return cumulativeCounts.get(i) - (i == 0 ? 0 : cumulativeCounts.get(i - 1));
  }

  public boolean sameBucketsAs(LatencyHistogram other) {
    return Objects.equals(upperBoundsMillis, other.upperBoundsMillis);
  }
}
