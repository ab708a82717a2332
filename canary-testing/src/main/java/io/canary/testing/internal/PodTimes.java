package io.canary.testing.internal;

import io.canary.testing.internal.ClusterState.Kind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * When each pod started and became Ready, on the virtual clock: what the start-up delay,
 * minReadySeconds and the next wake-up of the Deployment controller are measured from.
 */
final class PodTimes {
  private final ClusterState state;
  private final Duration startupDelay;
  private final Map<String, Instant> startedAt = new HashMap<>();
  private final Map<String, Instant> readyAt = new HashMap<>();

  PodTimes(ClusterState state, Duration startupDelay) {
    this.state = state;
    this.startupDelay = startupDelay;
  }

  void started(Pod p, Instant at) {
    startedAt.put(key(p), at);
  }

  /** When {@code p} started; {@link Instant#MIN} for a pod not seen starting, so it counts as the oldest. */
  Instant startedAt(Pod p) {
    return startedAt.getOrDefault(key(p), Instant.MIN);
  }

  /** When {@code p} is due to be Ready; a pod not seen before counts as started {@code now}. */
  Instant readyDue(Pod p, Instant now) {
    return startedAt.computeIfAbsent(key(p), k -> now).plus(startupDelay);
  }

  void ready(Pod p, Instant at) {
    readyAt.put(key(p), at);
  }

  boolean isAvailable(Pod p, int minReadySeconds, Instant now) {
    if (!Labels.isReady(p)) {
      return false;
    }
    Instant since = readyAt.get(key(p));
    return since == null || !since.plusSeconds(minReadySeconds).isAfter(now);
  }

  void forget(HasMetadata o) {
    startedAt.remove(key(o));
    readyAt.remove(key(o));
  }

  /** The next instant a pod becomes ready or available, or null when none is due. */
  Instant nextChange(Instant now) {
    Instant next = null;
    for (Pod p : state.<Pod>all(Kind.POD)) {
      Instant started = startedAt.get(key(p));
      if (started == null) {
        continue;
      }
      Instant due = null;
      if (!Labels.isReady(p)) {
        due = started.plus(startupDelay);
      } else {
        Instant ready = readyAt.get(key(p));
        int minReady = minReadySeconds(p);
        if (ready != null && minReady > 0 && ready.plusSeconds(minReady).isAfter(now)) {
          due = ready.plusSeconds(minReady);
        }
      }
      if (due != null && (next == null || due.isBefore(next))) {
        next = due;
      }
    }
    return next;
  }

  private int minReadySeconds(Pod p) {
    String rsUid = Labels.owner(p).orElse(null);
    for (ReplicaSet rs : state.<ReplicaSet>inNamespace(Kind.REPLICA_SET, p.getMetadata().getNamespace())) {
      if (Objects.equals(Labels.identity(rs), rsUid)) {
        return Optional.ofNullable(rs.getSpec().getMinReadySeconds()).orElse(0);
      }
    }
    return 0;
  }

  private static String key(HasMetadata o) {
    return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }
}
