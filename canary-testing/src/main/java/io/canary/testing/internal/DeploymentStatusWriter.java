package io.canary.testing.internal;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.time.Instant;
import java.util.List;

/**
 * A Deployment's status as Kubernetes writes it: the replica counts over all its ReplicaSets and
 * the Available and Progressing conditions, written only when they changed.
 */
final class DeploymentStatusWriter {
  private final ControllerWrites writes;
  private final ReplicaSetController replicaSets;

  DeploymentStatusWriter(ControllerWrites writes, ReplicaSetController replicaSets) {
    this.writes = writes;
    this.replicaSets = replicaSets;
  }

  void write(Deployment d, List<ReplicaSet> sets, ReplicaSet newRs, int desired, int maxUnavailable, int minReady,
      Instant now) {
    int replicas = 0;
    int ready = 0;
    int available = 0;
    int specTotal = 0;
    for (ReplicaSet rs : sets) {
      List<Pod> pods = replicaSets.podsOf(rs);
      replicas += pods.size();
      ready += (int) pods.stream().filter(Labels::isReady).count();
      available += replicaSets.available(rs, minReady, now);
      specTotal += ReplicaSetController.specReplicas(rs);
    }
    int updated = replicaSets.podsOf(newRs).size();
    boolean complete = updated == desired && replicas == desired && available == desired;
    DeploymentStatus previous = d.getStatus();
    List<DeploymentCondition> conditions = List.of(
        condition(previous, "Available", available >= desired - maxUnavailable,
            available >= desired - maxUnavailable ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
            available >= desired - maxUnavailable ? "Deployment has minimum availability."
                : "Deployment does not have minimum availability.", now),
        condition(previous, "Progressing", true,
            complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
            "ReplicaSet \"" + newRs.getMetadata().getName() + "\" "
                + (complete ? "has successfully progressed." : "is progressing."), now));
    DeploymentStatus status = new DeploymentStatusBuilder()
        .withObservedGeneration(d.getMetadata().getGeneration())
        .withReplicas(replicas)
        .withUpdatedReplicas(updated)
        .withReadyReplicas(ready)
        .withAvailableReplicas(available)
        .withUnavailableReplicas(Math.max(0, specTotal - available))
        .withConditions(conditions)
        .build();
    if (status.equals(previous)) {
      return;
    }
    Deployment withStatus = new DeploymentBuilder(d).withStatus(status).build();
    writes.write(withStatus, c -> c.apps().deployments().inNamespace(d.getMetadata().getNamespace())
        .resource(withStatus).updateStatus());
  }

  /** A condition that keeps its transition time while its status stays the same. */
  private static DeploymentCondition condition(DeploymentStatus previous, String type, boolean isTrue,
      String reason, String message, Instant now) {
    String status = isTrue ? "True" : "False";
    String since = now.toString();
    if (previous != null && previous.getConditions() != null) {
      for (DeploymentCondition c : previous.getConditions()) {
        if (type.equals(c.getType()) && status.equals(c.getStatus())) {
          since = c.getLastTransitionTime();
          if (reason.equals(c.getReason())) {
            return c;
          }
        }
      }
    }
    return new DeploymentConditionBuilder().withType(type).withStatus(status).withReason(reason)
        .withMessage(message).withLastTransitionTime(since).withLastUpdateTime(now.toString()).build();
  }
}
