package io.canary.testing.internal;

import io.canary.core.spi.TrafficSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What each pod group served, one bucket per tick, kept for the whole simulation so analysis can
 * ask about any window. Buckets are appended in time order; a window is found by binary search.
 */
public final class TrafficLedger {
  /** One tick of one group. */
  public record Bucket(Instant at, long requests, long errors, long mirrored, double latencyP99Millis,
      int readyPods, double cpuMillicoresPerPod) {}

  private final Map<String, List<Bucket>> buckets = new HashMap<>();
  private final Map<String, PodGroup> groups = new HashMap<>();

  public synchronized void record(PodGroup group, Bucket bucket) {
    groups.put(group.key(), group);
    buckets.computeIfAbsent(group.key(), k -> new ArrayList<>()).add(bucket);
  }

  /** Requests, errors and p99 of the groups {@code which} accepts, over {@code (from, to]}. */
  public synchronized TrafficSample sample(Predicate<PodGroup> which, Instant from, Instant to) {
    long requests = 0;
    long errors = 0;
    double p99 = Double.NaN;
    for (Map.Entry<String, List<Bucket>> e : buckets.entrySet()) {
      if (!which.test(groups.get(e.getKey()))) {
        continue;
      }
      List<Bucket> list = e.getValue();
      for (int i = firstAfter(list, from); i < list.size() && !list.get(i).at().isAfter(to); i++) {
        Bucket b = list.get(i);
        requests += b.requests();
        errors += b.errors();
        // The window's p99 is the worst tick's: a tick is short next to an analysis interval.
        if (b.requests() > 0 && (Double.isNaN(p99) || b.latencyP99Millis() > p99)) {
          p99 = b.latencyP99Millis();
        }
      }
    }
    return requests == 0 ? new TrafficSample(0, 0, Double.NaN) : new TrafficSample(requests, errors, p99);
  }

  /** Requests, errors and mirrored copies of one group over {@code (from, to]}. */
  public synchronized long[] totals(String groupKey, Instant from, Instant to) {
    long[] out = new long[3];
    List<Bucket> list = buckets.getOrDefault(groupKey, List.of());
    for (int i = firstAfter(list, from); i < list.size() && !list.get(i).at().isAfter(to); i++) {
      out[0] += list.get(i).requests();
      out[1] += list.get(i).errors();
      out[2] += list.get(i).mirrored();
    }
    return out;
  }

  /** The average CPU of one pod of the group over {@code (from, to]}, or {@code fallback} with no data. */
  public synchronized double cpuPerPod(String groupKey, Instant from, Instant to, double fallback) {
    List<Bucket> list = buckets.getOrDefault(groupKey, List.of());
    double sum = 0;
    int n = 0;
    for (int i = firstAfter(list, from); i < list.size() && !list.get(i).at().isAfter(to); i++) {
      if (list.get(i).readyPods() > 0) {
        sum += list.get(i).cpuMillicoresPerPod();
        n++;
      }
    }
    return n == 0 ? fallback : sum / n;
  }

  private static int firstAfter(List<Bucket> list, Instant from) {
    int lo = 0;
    int hi = list.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (list.get(mid).at().isAfter(from)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }
}
