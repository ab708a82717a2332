package io.canary.testing.internal;

import io.canary.testing.internal.ClusterState.Kind;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The pods of the cluster by group, rebuilt from the {@link ClusterState} when it changes. */
public final class PodGroups {
  private final ClusterState state;
  private long builtAt = -1;
  private Map<String, PodGroup> groups = Map.of();
  private Map<String, String> groupOfPod = Map.of();
  private List<Pod> readyPods = List.of();

  public PodGroups(ClusterState state) {
    this.state = state;
  }

  private void rebuildIfChanged() {
    if (builtAt == state.version()) {
      return;
    }
    builtAt = state.version();
    Map<String, ReplicaSet> setsByUid = new HashMap<>();
    for (ReplicaSet rs : state.<ReplicaSet>all(Kind.REPLICA_SET)) {
      setsByUid.put(Labels.identity(rs), rs);
    }
    Map<String, List<Pod>> podsByGroup = new TreeMap<>();
    Map<String, String> podToGroup = new HashMap<>();
    Map<String, ReplicaSet> setOfGroup = new HashMap<>();
    List<Pod> ready = new ArrayList<>();
    for (Pod p : state.<Pod>all(Kind.POD)) {
      ReplicaSet rs = Labels.owner(p).map(setsByUid::get).orElse(null);
      String name = rs != null ? rs.getMetadata().getName() : p.getMetadata().getName();
      String key = p.getMetadata().getNamespace() + "/" + name;
      podsByGroup.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
      podToGroup.put(podKey(p), key);
      if (rs != null) {
        setOfGroup.put(key, rs);
      }
      if (Labels.isReady(p)) {
        ready.add(p);
      }
    }
    // ReplicaSets with no pod yet still show in the timeline.
    for (ReplicaSet rs : setsByUid.values()) {
      String key = rs.getMetadata().getNamespace() + "/" + rs.getMetadata().getName();
      podsByGroup.computeIfAbsent(key, k -> new ArrayList<>());
      setOfGroup.put(key, rs);
    }
    Map<String, PodGroup> built = new TreeMap<>();
    for (Map.Entry<String, List<Pod>> e : podsByGroup.entrySet()) {
      ReplicaSet rs = setOfGroup.get(e.getKey());
      List<Pod> pods = e.getValue();
      Pod first = pods.isEmpty() ? null : pods.get(0);
      Map<String, String> labels = rs != null ? rs.getSpec().getTemplate().getMetadata().getLabels() : Labels.of(first);
      List<Container> containers = rs != null ? rs.getSpec().getTemplate().getSpec().getContainers()
          : first.getSpec().getContainers();
      List<String> images = containers.stream().map(Container::getImage).toList();
      String namespace = rs != null ? rs.getMetadata().getNamespace() : first.getMetadata().getNamespace();
      String name = rs != null ? rs.getMetadata().getName() : first.getMetadata().getName();
      String workload = rs == null ? name : ownerName(rs).orElse(name);
      int replicas = rs != null ? Optional.ofNullable(rs.getSpec().getReplicas()).orElse(0) : 1;
      int readyCount = (int) pods.stream().filter(Labels::isReady).count();
      built.put(e.getKey(), new PodGroup(e.getKey(), namespace, name, workload,
          labels == null ? Map.of() : Map.copyOf(labels), images, replicas, readyCount));
    }
    groups = built;
    groupOfPod = podToGroup;
    readyPods = ready;
  }

  private static Optional<String> ownerName(ReplicaSet rs) {
    if (rs.getMetadata().getOwnerReferences() == null) {
      return Optional.empty();
    }
    return rs.getMetadata().getOwnerReferences().stream().filter(r -> "Deployment".equals(r.getKind()))
        .map(OwnerReference::getName).findFirst();
  }

  /** Every group, by key, in key order. */
  public Map<String, PodGroup> all() {
    rebuildIfChanged();
    return groups;
  }

  public Optional<PodGroup> ofPod(Pod pod) {
    rebuildIfChanged();
    return Optional.ofNullable(groupOfPod.get(podKey(pod))).map(groups::get);
  }

  /** Ready pods of {@code namespace} carrying every label of {@code selector}, counted per group. */
  public Map<String, Integer> readyPodsMatching(String namespace, Map<String, String> selector) {
    rebuildIfChanged();
    Map<String, Integer> out = new TreeMap<>();
    for (Pod p : readyPods) {
      if (namespace.equals(p.getMetadata().getNamespace()) && Labels.containsAll(Labels.of(p), selector)) {
        out.merge(groupOfPod.get(podKey(p)), 1, Integer::sum);
      }
    }
    return out;
  }

  public long version() {
    return state.version();
  }

  private static String podKey(Pod p) {
    return p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
  }
}
