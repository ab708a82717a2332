package io.canary.testing.internal;

import io.canary.testing.internal.ClusterState.Kind;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The ReplicaSet controller, with the kubelet's part of it: as many pods as each ReplicaSet asks
 * for, named as Kubernetes names them, Running and Ready once the start-up delay has passed, and
 * the ReplicaSet status that counts them.
 */
final class ReplicaSetController {
  private final ClusterState state;
  private final ControllerWrites writes;
  private final PodTimes times;
  private final Supplier<Instant> clock;
  private final Map<String, Integer> podsMade = new HashMap<>();

  ReplicaSetController(ClusterState state, ControllerWrites writes, PodTimes times, Supplier<Instant> clock) {
    this.state = state;
    this.writes = writes;
    this.times = times;
    this.clock = clock;
  }

  static int specReplicas(ReplicaSet rs) {
    return Optional.ofNullable(rs.getSpec().getReplicas()).orElse(0);
  }

  List<Pod> podsOf(ReplicaSet rs) {
    return state.ownedBy(rs, Kind.POD);
  }

  List<Pod> podsOf(List<ReplicaSet> sets) {
    List<Pod> out = new ArrayList<>();
    for (ReplicaSet rs : sets) {
      out.addAll(podsOf(rs));
    }
    return out;
  }

  int available(ReplicaSet rs, int minReadySeconds, Instant now) {
    int n = 0;
    for (Pod p : podsOf(rs)) {
      if (times.isAvailable(p, minReadySeconds, now)) {
        n++;
      }
    }
    return n;
  }

  /** As many pods as the ReplicaSet asks for. */
  void syncPods(ReplicaSet rs) {
    List<Pod> pods = podsOf(rs);
    int want = specReplicas(rs);
    String ns = rs.getMetadata().getNamespace();
    for (int i = pods.size(); i < want; i++) {
      Pod pod = newPod(rs, pods);
      Pod created = writes.write(pod, c -> c.pods().inNamespace(ns).resource(pod).create());
      if (created == null) {
        return;
      }
      times.started(created, clock.get());
      pods.add(created);
    }
    if (pods.size() > want) {
      // As Kubernetes: pods not ready go first, then the youngest.
      List<Pod> victims = new ArrayList<>(pods);
      victims.sort(Comparator.comparing((Pod p) -> Labels.isReady(p))
          .thenComparing(times::startedAt, Comparator.reverseOrder())
          .thenComparing(p -> p.getMetadata().getName(), Comparator.reverseOrder()));
      for (Pod p : victims.subList(0, pods.size() - want)) {
        writes.delete(p);
      }
    }
  }

  private Pod newPod(ReplicaSet rs, List<Pod> existing) {
    String name;
    do {
      int n = podsMade.merge(rs.getMetadata().getName(), 1, Integer::sum);
      name = rs.getMetadata().getName() + "-" + PodTemplateHash.suffix(rs.getMetadata().getName() + "#" + n, 5);
    } while (nameTaken(existing, name));
    PodTemplateSpec t = rs.getSpec().getTemplate();
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(rs.getMetadata().getNamespace())
        .withLabels(t.getMetadata().getLabels())
        .withAnnotations(t.getMetadata().getAnnotations())
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
            .withName(rs.getMetadata().getName()).withUid(rs.getMetadata().getUid())
            .withController(true).withBlockOwnerDeletion(true).build())
        .endMetadata()
        .withSpec(t.getSpec())
        .withNewStatus().withPhase("Pending").withStartTime(clock.get().toString()).endStatus()
        .build();
  }

  private static boolean nameTaken(List<Pod> pods, String name) {
    for (Pod p : pods) {
      if (p.getMetadata().getName().equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** Pods whose start-up delay has passed become Running and Ready. */
  void markReadyPods(ReplicaSet rs, Instant now) {
    for (Pod p : podsOf(rs)) {
      Instant ready = times.readyDue(p, now);
      if (Labels.isReady(p) || ready.isAfter(now)) {
        continue;
      }
      Pod running = new PodBuilder(p).editOrNewStatus()
          .withPhase("Running")
          .withConditions(new PodConditionBuilder().withType("Ready").withStatus("True")
              .withLastTransitionTime(ready.toString()).build())
          .withContainerStatuses(containerStatuses(p))
          .endStatus().build();
      Pod written = writes.write(running, c -> c.pods().inNamespace(p.getMetadata().getNamespace())
          .resource(running).updateStatus());
      if (written != null) {
        times.ready(written, ready);
      }
    }
  }

  private static List<ContainerStatus> containerStatuses(Pod p) {
    List<ContainerStatus> out = new ArrayList<>();
    for (Container c : p.getSpec().getContainers()) {
      out.add(new ContainerStatusBuilder().withName(c.getName())
          .withImage(c.getImage()).withReady(true).withStarted(true).withRestartCount(0).build());
    }
    return out;
  }

  /** Writes the ReplicaSet's status when its counts changed; returns the ReplicaSet as it now stands. */
  ReplicaSet writeStatus(ReplicaSet rs, int minReady, Instant now) {
    List<Pod> pods = podsOf(rs);
    int ready = (int) pods.stream().filter(Labels::isReady).count();
    int available = (int) pods.stream().filter(p -> times.isAvailable(p, minReady, now)).count();
    ReplicaSetStatus status = new ReplicaSetStatusBuilder()
        .withReplicas(pods.size())
        .withFullyLabeledReplicas(pods.size())
        .withReadyReplicas(ready)
        .withAvailableReplicas(available)
        .withObservedGeneration(rs.getMetadata().getGeneration())
        .build();
    if (status.equals(rs.getStatus())) {
      return rs;
    }
    ReplicaSet withStatus = new ReplicaSetBuilder(rs).withStatus(status).build();
    ReplicaSet written = writes.write(withStatus, c -> c.apps().replicaSets()
        .inNamespace(rs.getMetadata().getNamespace()).resource(withStatus).updateStatus());
    return written == null ? withStatus : written;
  }
}
