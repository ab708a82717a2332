package io.canary.kubernetes;

import io.canary.core.memory.InMemoryStrategy;
import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Step;
import io.canary.core.WorkloadRef;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The in-process API server runs no controllers: this plays the Deployment controller where a test
 * needs it (ReplicaSets with pod-template-hash and ownerReferences, pods, Deployment status).
 */
final class TestCluster {
  static final String NS = "shop";
  static final String TARGET = "web";

  final KubernetesClient client;
  private int revisions;

  TestCluster(KubernetesClient client) {
    this.client = client;
  }

  /** A user's Deployment {@code name}: selector and pod labels {@code app: name}, one container {@code app}. */
  Deployment deployment(String name, int replicas, String image) {
    return client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
        .withNewMetadata().withName(name).withNamespace(NS).addToLabels("team", "checkout").endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withMinReadySeconds(5)
        .withNewSelector().addToMatchLabels("app", name).endSelector()
        .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
        .withNewMaxSurge("25%").withNewMaxUnavailable("25%").endRollingUpdate().endStrategy()
        .withNewTemplate()
        .withNewMetadata().addToLabels("app", name).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage(image).endContainer().endSpec()
        .endTemplate()
        .endSpec()
        .build()).create();
  }

  Deployment get(String name) {
    return client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  /**
   * What the Deployment controller does once the Deployment's current template is rolled out: a
   * ReplicaSet for it owned by the Deployment, {@code pods} ready pods, and the status counting them.
   */
  ReplicaSet rollOut(String name, int pods) {
    ReplicaSet rs = replicaSet(name, pods);
    status(name, pods, pods, pods, pods);
    return rs;
  }

  /** The controller's ReplicaSet for the Deployment's current template, with {@code pods} ready pods; no status. */
  ReplicaSet replicaSet(String name, int pods) {
    Deployment d = get(name);
    String revision = Integer.toString(++revisions);
    String hash = "h" + Integer.toHexString(d.getSpec().getTemplate().hashCode() & 0xfffffff);
    client.apps().deployments().inNamespace(NS).withName(name)
        .edit(x -> new DeploymentBuilder(x).editMetadata()
            .addToAnnotations("deployment.kubernetes.io/revision", revision).endMetadata().build());
    ReplicaSet rs = client.apps().replicaSets().inNamespace(NS).resource(new ReplicaSetBuilder()
        .withNewMetadata().withName(name + "-" + hash).withNamespace(NS)
        .addToLabels(d.getSpec().getTemplate().getMetadata().getLabels()).addToLabels("pod-template-hash", hash)
        .addToAnnotations("deployment.kubernetes.io/revision", revision)
        .addNewOwnerReference().withApiVersion("apps/v1").withKind("Deployment").withName(name)
        .withUid(d.getMetadata().getUid()).withController(true).endOwnerReference()
        .endMetadata()
        .withNewSpec().withReplicas(pods)
        .withNewSelector().addToMatchLabels(d.getSpec().getSelector().getMatchLabels())
        .addToMatchLabels("pod-template-hash", hash).endSelector()
        .withNewTemplateLike(d.getSpec().getTemplate()).editMetadata().addToLabels("pod-template-hash", hash)
        .endMetadata().endTemplate()
        .endSpec().build()).create();
    for (int i = 0; i < pods; i++) {
      pod(rs, name + "-" + hash + "-" + i, true);
    }
    return rs;
  }

  Pod pod(ReplicaSet rs, String name, boolean ready) {
    return client.pods().inNamespace(NS).resource(new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(NS).addToLabels(rs.getSpec().getTemplate().getMetadata().getLabels())
        .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName(rs.getMetadata().getName())
        .withUid(rs.getMetadata().getUid()).withController(true).endOwnerReference()
        .endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("x").endContainer().endSpec()
        .withNewStatus().withPhase("Running")
        .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
        .endStatus()
        .build()).create();
  }

  /** The Deployment controller's status write; observedGeneration catches up with the spec. */
  void status(String name, int replicas, int updated, int ready, int available) {
    client.apps().deployments().inNamespace(NS).withName(name).editStatus(d -> {
      d.setStatus(new DeploymentStatusBuilder()
          .withObservedGeneration(d.getMetadata().getGeneration())
          .withReplicas(replicas).withUpdatedReplicas(updated).withReadyReplicas(ready).withAvailableReplicas(available)
          .build());
      return d;
    });
  }

  void autoscaler(String deployment, int min, int max) {
    client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).resource(new HorizontalPodAutoscalerBuilder()
        .withNewMetadata().withName(deployment).withNamespace(NS).endMetadata()
        .withNewSpec().withMinReplicas(min).withMaxReplicas(max)
        .withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName(deployment).endScaleTargetRef()
        .endSpec().build()).create();
  }

  static CanarySpec spec(NewRevision revision, Step... steps) {
    return CanarySpec.builder()
        .name("web-release")
        .namespace(NS)
        .target(WorkloadRef.deployment(TARGET))
        .revision(revision)
        .traffic(InMemoryStrategy.of("web"))
        .addSteps(steps.length == 0 ? new Step[] {Step.setWeight(20), Step.pause()} : steps)
        .build();
  }
}
