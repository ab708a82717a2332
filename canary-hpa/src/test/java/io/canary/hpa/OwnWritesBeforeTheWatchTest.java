package io.canary.hpa;

import io.canary.testing.HeldWatchServer;
import static io.canary.hpa.HpaAwareWorkloadsTest.CANARY;
import static io.canary.hpa.HpaAwareWorkloadsTest.CANARY_HPA;
import static io.canary.hpa.HpaAwareWorkloadsTest.DEMO_NS;
import static io.canary.hpa.HpaAwareWorkloadsTest.STABLE;
import static io.canary.hpa.HpaAwareWorkloadsTest.rolloutsDemo;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.Revisions;
import io.canary.core.spi.CanaryScale;
import io.canary.kubernetes.KubernetesWorkloads;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The canary and its autoscaler, written a moment ago, are acted on as the API server answered the
 * writes while the informers have heard of neither (the server holds the watch events back): no
 * second canary or autoscaler is created, nothing is read back, the next patch carries the
 * resourceVersion the create answered.
 */
class OwnWritesBeforeTheWatchTest {
  private HeldWatchServer server;
  private KubernetesClient client;
  private KubernetesWorkloads deployments;
  private HpaAwareWorkloads workloads;

  @BeforeEach
  void setUp() throws IOException {
    server = new HeldWatchServer();
    client = server.client();
    try (InputStream in = Files.newInputStream(Path.of("..", "scenarios", "rollouts-demo-subsets", "cluster.yaml"))) {
      for (HasMetadata object : client.load(in).items()) {
        if (object instanceof Deployment || object instanceof HorizontalPodAutoscaler) {
          client.resource(object).create();
        }
      }
    }
    Deployment stable = client.apps().deployments().inNamespace(DEMO_NS).withName(STABLE).get();
    client.apps().replicaSets().inNamespace(DEMO_NS).resource(new ReplicaSetBuilder()
        .withNewMetadata().withName(STABLE + "-blue").withNamespace(DEMO_NS)
        .addToLabels(stable.getSpec().getTemplate().getMetadata().getLabels()).addToLabels("pod-template-hash", "blue")
        .addNewOwnerReference().withApiVersion("apps/v1").withKind("Deployment").withName(STABLE)
        .withUid(stable.getMetadata().getUid()).withController(true).endOwnerReference()
        .endMetadata()
        .withNewSpec().withReplicas(5).withTemplate(stable.getSpec().getTemplate()).endSpec()
        .build()).create();
    deployments = KubernetesWorkloads.create(client);
    workloads = HpaAwareWorkloads.wrap(client, deployments);
  }

  @AfterEach
  void tearDown() {
    server.release();
    workloads.close();
    deployments.close();
    server.close();
  }

  @Test
  void theCanaryAndItsAutoscalerJustCreatedAreNotCreatedAgainNorReadBack() {
    assertThat(workloads.validate(rolloutsDemo())).isEmpty(); // the caches hold the namespace
    server.hold();
    int from = server.requests().size();

    Revisions revisions = workloads.ensureCanary(rolloutsDemo());
    workloads.ensureCanary(rolloutsDemo()); // a resumed decision, before any watch event
    workloads.scaleCanary(rolloutsDemo(), revisions, CanaryScale.preScale(4));

    List<HeldWatchServer.Request> requests = server.requestsSince(from);
    assertThat(requests).extracting(r -> r.method() + " " + r.path().replaceAll("\\?.*", ""))
        .as("the canary created and given its first replicas, its autoscaler created and pre-scaled; nothing read")
        .containsExactly(
            "POST /apis/apps/v1/namespaces/" + DEMO_NS + "/deployments",
            "PATCH /apis/apps/v1/namespaces/" + DEMO_NS + "/deployments/" + CANARY,
            "POST /apis/autoscaling/v2/namespaces/" + DEMO_NS + "/horizontalpodautoscalers",
            "PATCH /apis/autoscaling/v2/namespaces/" + DEMO_NS + "/horizontalpodautoscalers/" + CANARY_HPA);
    assertThat(client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(DEMO_NS).withName(CANARY_HPA).get()
        .getSpec().getMinReplicas()).as("the pre-scale landed on the autoscaler as created").isEqualTo(4);
    assertThat(workloads.observe(rolloutsDemo(), revisions).canary())
        .hasValueSatisfying(c -> assertThat(c.autoscaled()).isTrue());
  }
}
