package io.canary.kubernetes.internal;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The canary Deployments the rollouts of this process keep, and what the Deployment watch saw happen to
 * them outside the rollouts: deleted, or scaled from some replicas to 0, by a write that is not one of
 * the SDK's own (each of its writes is remembered by the resourceVersion it produced, so that a watch
 * event that arrives late is still known as the SDK's). A canary is kept from the moment it is created
 * or found until the SDK removes it; a Deployment an autoscaler sizes is not judged by its replicas.
 */
final class LostCanaries {
  /** One kept canary: its uid when known, the resourceVersions of the SDK's writes, what was lost. */
  private static final class Kept {
    final String uid;
    /** The latest of the SDK's writes, oldest first. */
    private final Set<String> ownVersions = new LinkedHashSet<>();
    /** Writes that took the replicas to 0, by resourceVersion, until judged whose they were. */
    final Map<String, String> zeroedAt = new ConcurrentHashMap<>();
    volatile String lost;

    Kept(String uid) {
      this.uid = uid;
    }

    synchronized void own(String resourceVersion) {
      if (ownVersions.size() >= OWN_VERSIONS_KEPT) {
        ownVersions.remove(ownVersions.iterator().next());
      }
      ownVersions.add(resourceVersion);
    }

    synchronized boolean owns(String resourceVersion) {
      return ownVersions.contains(resourceVersion);
    }

    boolean is(Deployment d) {
      return uid == null || uid.equals(d.getMetadata().getUid());
    }
  }

  private static final int OWN_VERSIONS_KEPT = 64;

  private final Map<String, Kept> kept = new ConcurrentHashMap<>();

  /** The rollout keeps this canary from now on (created or found); what was lost before is forgotten. */
  void keep(String namespace, String name, Optional<Deployment> found) {
    Kept k = new Kept(found.map(d -> d.getMetadata().getUid()).orElse(null));
    found.map(d -> d.getMetadata().getResourceVersion()).ifPresent(k::own);
    kept.put(key(namespace, name), k);
  }

  /** The SDK itself is about to delete this canary. */
  void release(String namespace, String name) {
    kept.remove(key(namespace, name));
  }

  /** The SDK wrote this Deployment, producing {@code written}. */
  void written(Deployment written) {
    Kept k = kept.get(key(written));
    if (k != null && k.is(written) && written.getMetadata().getResourceVersion() != null) {
      k.own(written.getMetadata().getResourceVersion());
    }
  }

  /**
   * The watch saw {@code before} become {@code after}; {@code autoscaled} tells whether an autoscaler sizes
   * it. Any thread.
   */
  void updated(Deployment before, Deployment after, Predicate<String> autoscaled) {
    Kept k = kept.get(key(after));
    if (k == null || !k.is(after) || k.lost != null) {
      return;
    }
    int was = Deployments.replicasOf(before);
    if (was > 0 && Deployments.replicasOf(after) == 0 && !autoscaled.test(after.getMetadata().getName())) {
      // Judged when the rollout next looks: the watch may show the SDK's own write before the write returned.
      k.zeroedAt.put(after.getMetadata().getResourceVersion(),
          "canary Deployment " + key(after) + " was scaled from " + was + " to 0 replicas outside the rollout");
    }
  }

  /** The watch saw {@code deleted} go. */
  void deleted(Deployment deleted) {
    Kept k = kept.get(key(deleted));
    if (k != null && k.is(deleted) && k.lost == null) {
      k.lost = "canary Deployment " + key(deleted) + " was deleted outside the rollout";
    }
  }

  /**
   * What was lost, if anything. Called by the rollout between its own writes, so every write of the
   * SDK's that the watch has shown is known by then.
   */
  Optional<String> lost(String namespace, String name) {
    Kept k = kept.get(key(namespace, name));
    if (k == null) {
      return Optional.empty();
    }
    for (Map.Entry<String, String> zeroed : Map.copyOf(k.zeroedAt).entrySet()) {
      if (k.lost == null && !k.owns(zeroed.getKey())) {
        k.lost = zeroed.getValue();
      }
      k.zeroedAt.remove(zeroed.getKey());
    }
    return Optional.ofNullable(k.lost);
  }

  private static String key(Deployment d) {
    return key(d.getMetadata().getNamespace(), d.getMetadata().getName());
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
