package io.canary.kubernetes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.kubernetes.FastFailingClient;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Reads of the namespace caches while the informers take in updates of the very objects read: an
 * object that is there all along is never missed (fabric8's informer index drops an object for a
 * moment on every update, which is why the caches read their stores instead). An autoscaler missed
 * for that moment would have the replicas of the Deployment it owns written.
 */
@EnableKubernetesMockClient(crud = true, https = false, kubernetesClientBuilderCustomizer = FastFailingClient.class)
class CacheReadsDuringUpdatesTest {
  static final String NS = "team";
  static final int UPDATES = 150;

  KubernetesClient client;

  @Test
  void anAutoscalerIsFoundForItsDeploymentWhileItsStatusKeepsChanging() throws Exception {
    client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).resource(new HorizontalPodAutoscalerBuilder()
        .withNewMetadata().withName("web").withNamespace(NS).endMetadata()
        .withNewSpec().withMaxReplicas(5).withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment")
        .withName("web").endScaleTargetRef().endSpec().build()).create();
    try (AutoscalerInformers caches = new AutoscalerInformers(client, Duration.ofSeconds(10))) {
      NamespaceAutoscalers autoscalers = caches.in(NS);

      int misses = readWhileUpdating(() -> autoscalers.targeting("Deployment", "web").isEmpty(), i ->
          client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).withName("web")
              .edit(h -> new HorizontalPodAutoscalerBuilder(h).editOrNewStatus().withCurrentReplicas(i).endStatus().build()));

      assertThat(misses).as("reads that missed the autoscaler while it was updated").isZero();
    }
  }

  @Test
  void aDeploymentsReplicaSetIsFoundWhileItKeepsChanging() throws Exception {
    Deployment web = client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
        .withNewMetadata().withName("web").withNamespace(NS).endMetadata().withNewSpec().withReplicas(1).endSpec()
        .build()).create();
    client.apps().replicaSets().inNamespace(NS).resource(new ReplicaSetBuilder()
        .withNewMetadata().withName("web-1").withNamespace(NS).addNewOwnerReference().withApiVersion("apps/v1")
        .withKind("Deployment").withName("web").withUid(web.getMetadata().getUid()).withController(true)
        .endOwnerReference().endMetadata().withNewSpec().withReplicas(1).endSpec().build()).create();
    NamespaceInformers informers = new NamespaceInformers(client, NS).awaitSynced(Duration.ofSeconds(10));
    try {
      Deployment cached = informers.deployment("web").orElseThrow();

      int misses = readWhileUpdating(() -> informers.replicaSetsOf(cached).isEmpty(), i ->
          client.apps().replicaSets().inNamespace(NS).withName("web-1")
              .edit(rs -> new ReplicaSetBuilder(rs).editOrNewStatus().withReplicas(i).endStatus().build()));

      assertThat(misses).as("reads that missed the ReplicaSet while it was updated").isZero();
    } finally {
      informers.close();
    }
  }

  @Test
  void aDeploymentsPodsAreFoundThroughItsReplicaSetsWhileTheyKeepChangingAndNoOtherDeploymentsPods() throws Exception {
    Deployment web = deploymentWithPods("web", 3);
    deploymentWithPods("api", 2);
    NamespaceInformers informers = new NamespaceInformers(client, NS).awaitSynced(Duration.ofSeconds(10));
    try {
      Deployment cached = informers.deployment("web").orElseThrow();
      assertThat(cached.getMetadata().getUid()).isEqualTo(web.getMetadata().getUid());
      assertThat(informers.podsOf(cached)).extracting(p -> p.getMetadata().getName())
          .as("found at once after the first sync").containsExactlyInAnyOrder("web-1-0", "web-1-1", "web-1-2");

      int misses = readWhileUpdating(() -> informers.podsOf(cached).size() != 3, i ->
          client.pods().inNamespace(NS).withName("web-1-" + (i % 3))
              .edit(p -> new PodBuilder(p).editOrNewStatus().withPhase("Running").withMessage("update " + i).endStatus()
                  .build()));

      assertThat(misses).as("reads that missed or added a pod while the pods were updated").isZero();
    } finally {
      informers.close();
    }
  }

  private Deployment deploymentWithPods(String name, int pods) {
    Deployment d = client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
        .withNewMetadata().withName(name).withNamespace(NS).endMetadata().withNewSpec().withReplicas(pods).endSpec()
        .build()).create();
    ReplicaSet rs = client.apps().replicaSets().inNamespace(NS).resource(new ReplicaSetBuilder()
        .withNewMetadata().withName(name + "-1").withNamespace(NS).addNewOwnerReference().withApiVersion("apps/v1")
        .withKind("Deployment").withName(name).withUid(d.getMetadata().getUid()).withController(true)
        .endOwnerReference().endMetadata().withNewSpec().withReplicas(pods).endSpec().build()).create();
    for (int i = 0; i < pods; i++) {
      client.pods().inNamespace(NS).resource(new PodBuilder()
          .withNewMetadata().withName(name + "-1-" + i).withNamespace(NS).addNewOwnerReference().withApiVersion("apps/v1")
          .withKind("ReplicaSet").withName(rs.getMetadata().getName()).withUid(rs.getMetadata().getUid())
          .withController(true).endOwnerReference().endMetadata()
          .withNewSpec().addNewContainer().withName("app").withImage("x").endContainer().endSpec().build()).create();
    }
    return d;
  }

  /** Reads as fast as it can while {@link #UPDATES} updates go in; answers how many reads missed. */
  private static int readWhileUpdating(BooleanSupplier missed, java.util.function.IntConsumer update) {
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      for (int i = 1; i <= UPDATES; i++) {
        update.accept(i);
      }
    });
    int misses = 0;
    while (!writer.isDone()) {
      if (missed.getAsBoolean()) {
        misses++;
      }
    }
    writer.join();
    return misses;
  }
}
