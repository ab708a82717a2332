package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeploymentControllerTest {
  private SimulatedCluster sim;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    sim = SimulatedCluster.builder().podStartupDelay(Duration.ofSeconds(10)).build();
    client = sim.client();
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private Deployment web() {
    return client.apps().deployments().inNamespace(Fixtures.NS).withName("web").get();
  }

  private List<Pod> pods() {
    return client.pods().inNamespace(Fixtures.NS).list().getItems();
  }

  private static long ready(List<Pod> pods) {
    return pods.stream().filter(p -> p.getStatus().getConditions().stream()
        .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"))).count();
  }

  @Test
  void podsBecomeReadyOnlyAfterTheStartupDelay() {
    client.resource(Fixtures.deployment("web", 3, "shop/web:1", Map.of("app", "web"))).create();
    sim.settle();

    assertThat(pods()).hasSize(3);
    assertThat(ready(pods())).isZero();
    assertThat(web().getStatus().getReadyReplicas()).isZero();

    sim.advance(Duration.ofSeconds(9));
    assertThat(ready(pods())).isZero();

    sim.advance(Duration.ofSeconds(1));
    assertThat(ready(pods())).isEqualTo(3);
    Deployment d = web();
    assertThat(d.getStatus().getReadyReplicas()).isEqualTo(3);
    assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(3);
    assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(3);
    assertThat(d.getStatus().getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());
  }

  @Test
  void replicaSetIsNamedByTemplateHashOwnedByTheDeploymentAndLabelsItsPods() {
    Deployment created = client.resource(Fixtures.deployment("web", 2, "shop/web:1", Map.of("app", "web"))).create();
    sim.settle();

    List<ReplicaSet> sets = client.apps().replicaSets().inNamespace(Fixtures.NS).list().getItems();
    assertThat(sets).hasSize(1);
    ReplicaSet rs = sets.get(0);
    String hash = rs.getMetadata().getLabels().get("pod-template-hash");
    assertThat(hash).isNotBlank();
    assertThat(rs.getMetadata().getName()).isEqualTo("web-" + hash);
    assertThat(rs.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "1");
    assertThat(rs.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid()));
    assertThat(pods()).allSatisfy(p -> {
      assertThat(p.getMetadata().getName()).startsWith(rs.getMetadata().getName() + "-");
      assertThat(p.getMetadata().getLabels()).containsEntry("app", "web").containsEntry("pod-template-hash", hash);
    });
  }

  @Test
  void sameTemplateGetsTheSameHashInEveryRun() {
    String first;
    try (SimulatedCluster other = SimulatedCluster.builder().build()) {
      other.client().resource(Fixtures.deployment("web", 1, "shop/web:1", Map.of("app", "web"))).create();
      other.settle();
      first = other.client().apps().replicaSets().inNamespace(Fixtures.NS).list().getItems().get(0)
          .getMetadata().getName();
    }
    client.resource(Fixtures.deployment("web", 1, "shop/web:1", Map.of("app", "web"))).create();
    sim.settle();
    assertThat(client.apps().replicaSets().inNamespace(Fixtures.NS).list().getItems().get(0).getMetadata().getName())
        .isEqualTo(first);
  }

  @Test
  void podsCountAsAvailableOnlyAfterMinReadySeconds() {
    Deployment d = Fixtures.deployment("web", 2, "shop/web:1", Map.of("app", "web"));
    d.getSpec().setMinReadySeconds(30);
    client.resource(d).create();

    sim.advance(Duration.ofSeconds(10));
    assertThat(web().getStatus().getReadyReplicas()).isEqualTo(2);
    assertThat(web().getStatus().getAvailableReplicas()).isZero();

    sim.advance(Duration.ofSeconds(29));
    assertThat(web().getStatus().getAvailableReplicas()).isZero();

    sim.advance(Duration.ofSeconds(1));
    assertThat(web().getStatus().getAvailableReplicas()).isEqualTo(2);
    assertThat(web().getStatus().getUnavailableReplicas()).isZero();
  }

  @Test
  void rollingUpdateNeverExceedsSurgeNorDropsBelowAvailability() {
    client.resource(Fixtures.rolling(Fixtures.deployment("web", 4, "shop/web:1", Map.of("app", "web")), 1, 1)).create();
    sim.advance(Duration.ofSeconds(10));
    assertThat(web().getStatus().getAvailableReplicas()).isEqualTo(4);

    client.apps().deployments().inNamespace(Fixtures.NS).withName("web")
        .edit(d -> {
          d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("shop/web:2");
          return d;
        });
    int maxPods = 0;
    int minAvailable = Integer.MAX_VALUE;
    for (int s = 0; s < 120; s++) {
      sim.advance(Duration.ofSeconds(1));
      List<Pod> pods = pods();
      maxPods = Math.max(maxPods, pods.size());
      minAvailable = (int) Math.min(minAvailable, ready(pods));
    }
    assertThat(maxPods).isEqualTo(5); // 4 + maxSurge 1
    assertThat(minAvailable).isEqualTo(3); // 4 - maxUnavailable 1
    assertThat(pods()).hasSize(4).allSatisfy(p ->
        assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("shop/web:2"));
    Deployment done = web();
    assertThat(done.getStatus().getUpdatedReplicas()).isEqualTo(4);
    assertThat(done.getStatus().getAvailableReplicas()).isEqualTo(4);
    assertThat(client.apps().replicaSets().inNamespace(Fixtures.NS).list().getItems())
        .extracting(rs -> rs.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"),
            rs -> rs.getSpec().getReplicas())
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("1", 0), org.assertj.core.groups.Tuple.tuple("2", 4));
  }

  @Test
  void recreateRemovesTheOldPodsBeforeStartingNewOnes() {
    Deployment d = Fixtures.deployment("web", 3, "shop/web:1", Map.of("app", "web"));
    d.getSpec().setStrategy(new io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder()
        .withType("Recreate").build());
    client.resource(d).create();
    sim.advance(Duration.ofSeconds(10));
    client.apps().deployments().inNamespace(Fixtures.NS).withName("web").edit(x -> {
      x.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("shop/web:2");
      return x;
    });
    sim.settle();
    assertThat(pods()).hasSize(3).allSatisfy(p ->
        assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("shop/web:2"));
    assertThat(ready(pods())).isZero();
    sim.advance(Duration.ofSeconds(10));
    assertThat(web().getStatus().getAvailableReplicas()).isEqualTo(3);
  }

  @Test
  void scalingDownDeletesPods() {
    client.resource(Fixtures.deployment("web", 4, "shop/web:1", Map.of("app", "web"))).create();
    sim.advance(Duration.ofSeconds(10));
    client.apps().deployments().inNamespace(Fixtures.NS).withName("web").scale(1);
    sim.settle();
    assertThat(pods()).hasSize(1);
    assertThat(web().getStatus().getReplicas()).isEqualTo(1);
  }

  @Test
  void deletingTheDeploymentRemovesItsReplicaSetsAndPods() {
    client.resource(Fixtures.deployment("web", 2, "shop/web:1", Map.of("app", "web"))).create();
    sim.advance(Duration.ofSeconds(10));
    client.apps().deployments().inNamespace(Fixtures.NS).withName("web").delete();
    sim.settle();
    assertThat(pods()).isEmpty();
    assertThat(client.apps().replicaSets().inNamespace(Fixtures.NS).list().getItems()).isEmpty();
  }

  @Test
  void idleTicksMakeNoRequest() {
    client.resource(Fixtures.deployment("web", 2, "shop/web:1", Map.of("app", "web"))).create();
    sim.advance(Duration.ofMinutes(1));
    int before = sim.requests().size();
    sim.advance(Duration.ofHours(1));
    assertThat(sim.requests()).hasSize(before);
  }
}
