package io.canary.testing;

import io.canary.testing.internal.PodGroup;
import io.canary.testing.internal.PodGroups;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A timeline sample's revisions: each pod group's pods, and its share and rate of the requests
 * served over the interval that ends at the sample. A group with no pods that served nothing is
 * left out, so a revision long gone does not linger in every sample.
 */
final class TimelineSampler {
  private TimelineSampler() {}

  static List<Timeline.RevisionPoint> revisions(PodGroups groups, TrafficSimulator traffic, Instant now,
      Duration interval) {
    Instant from = now.minus(interval);
    double seconds = interval.toNanos() / 1e9;
    Map<PodGroup, long[]> totals = new LinkedHashMap<>();
    long served = 0;
    for (PodGroup g : groups.all().values()) {
      long[] t = traffic.groupTotals(g.key(), from, now);
      if (g.replicas() == 0 && g.readyPods() == 0 && t[0] == 0) {
        continue;
      }
      totals.put(g, t);
      served += t[0];
    }
    List<Timeline.RevisionPoint> points = new ArrayList<>();
    for (Map.Entry<PodGroup, long[]> e : totals.entrySet()) {
      PodGroup g = e.getKey();
      long requests = e.getValue()[0];
      points.add(new Timeline.RevisionPoint(g.displayName(), g.key(), g.replicas(), g.readyPods(),
          served == 0 ? 0 : (double) requests / served, requests / seconds,
          requests == 0 ? 0 : (double) e.getValue()[1] / requests));
    }
    return points;
  }
}
