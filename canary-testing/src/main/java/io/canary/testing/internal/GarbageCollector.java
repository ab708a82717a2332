package io.canary.testing.internal;

import io.canary.testing.internal.ClusterState.Kind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;

/**
 * What a deleted Deployment owned goes too, as Kubernetes' garbage collector does: its ReplicaSets,
 * then their pods.
 */
final class GarbageCollector {
  private GarbageCollector() {}

  static void collect(ClusterState state, ControllerWrites writes) {
    Set<String> alive = new HashSet<>();
    state.<Deployment>all(Kind.DEPLOYMENT).forEach(d -> alive.add(Labels.identity(d)));
    for (ReplicaSet rs : new ArrayList<>(state.<ReplicaSet>all(Kind.REPLICA_SET))) {
      if (Labels.owner(rs).isPresent() && isOwnedByKind(rs, "Deployment") && !alive.contains(Labels.owner(rs).get())) {
        writes.delete(rs);
      }
    }
    Set<String> sets = new HashSet<>();
    state.<ReplicaSet>all(Kind.REPLICA_SET).forEach(rs -> sets.add(Labels.identity(rs)));
    for (Pod p : new ArrayList<>(state.<Pod>all(Kind.POD))) {
      if (Labels.owner(p).isPresent() && isOwnedByKind(p, "ReplicaSet") && !sets.contains(Labels.owner(p).get())) {
        writes.delete(p);
      }
    }
  }

  private static boolean isOwnedByKind(HasMetadata o, String kind) {
    return o.getMetadata().getOwnerReferences().stream().anyMatch(r -> kind.equals(r.getKind()));
  }
}
