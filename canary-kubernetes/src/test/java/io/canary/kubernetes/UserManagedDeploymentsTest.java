package io.canary.kubernetes;

import io.canary.core.spi.CanaryScale;
import io.canary.core.memory.InMemoryStrategy;
import static io.canary.kubernetes.TestCluster.NS;
import static io.canary.kubernetes.TestCluster.TARGET;
import static io.canary.kubernetes.TestCluster.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Problem;
import io.canary.core.Revisions;
import io.canary.core.WorkloadRef;
import io.canary.core.spi.WorkloadState;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The two-Deployment setup: both revisions are Deployments the user manages; the rollout creates nothing. */
@EnableKubernetesMockClient(crud = true, https = false, kubernetesClientBuilderCustomizer = FastFailingClient.class)
class UserManagedDeploymentsTest {
  KubernetesClient client;

  @Test
  void helloworldVersionsScenarioCreatesNothingAndLeavesReplicasToTheAutoscalers() throws Exception {
    loadScenario("helloworld-versions");
    Map<String, String> versionsBefore = resourceVersions();
    CanarySpec spec = CanarySpec.builder()
        .name("helloworld")
        .target(WorkloadRef.deployment("helloworld-v1"))
        .revision(NewRevision.existingWorkload("helloworld-v2"))
        .traffic(InMemoryStrategy.of("helloworld"))
        .addSteps(io.canary.core.Step.setWeight(10))
        .build();

    try (KubernetesWorkloads workloads = KubernetesWorkloads.create(client)) {
      assertThat(workloads.validate(spec)).isEmpty();
      Revisions revisions = workloads.ensureCanary(spec);
      assertThat(revisions.stable().workload()).isEqualTo("helloworld-v1");
      assertThat(revisions.canary().workload()).isEqualTo("helloworld-v2");
      assertThat(revisions.stable().podLabels()).as("the user's subsets already tell them apart").isEmpty();
      assertThat(revisions.canary().podLabels()).isEmpty();

      workloads.scaleCanary(spec, revisions, CanaryScale.preScale(4));
      workloads.scaleStable(spec, revisions, Optional.of(1));
      workloads.promote(spec, revisions);
      assertThat(workloads.promotionComplete(spec, revisions)).isTrue();
      WorkloadState state = workloads.observe(spec, revisions);
      workloads.removeCanary(spec, revisions);

      assertThat(state.stable().autoscaled()).isTrue();
      assertThat(state.stable().minReplicas()).contains(1);
      assertThat(state.stable().maxReplicas()).contains(10);
      assertThat(state.canaryOrAbsent().autoscaled()).isTrue();
    }
    assertThat(resourceVersions()).as("both Deployments are left to their autoscalers, untouched").isEqualTo(versionsBefore);
  }

  @Test
  void withoutAutoscalersTheRolloutScalesAsAskedAndDeletesNothing() {
    TestCluster cluster = new TestCluster(client);
    cluster.deployment(TARGET, 4, "shop/web:1.0");
    cluster.deployment("web-v2", 1, "shop/web:2.0");
    CanarySpec spec = spec(NewRevision.existingWorkload("web-v2"));

    try (KubernetesWorkloads workloads = KubernetesWorkloads.create(client)) {
      Revisions revisions = workloads.ensureCanary(spec);
      assertThat(workloads.canaryName(spec)).isEqualTo("web-v2");
      assertThat(names()).containsExactlyInAnyOrder(TARGET, "web-v2");

      workloads.scaleCanary(spec, revisions, CanaryScale.preScale(3));
      workloads.scaleStable(spec, revisions, Optional.of(2));
      assertThat(cluster.get("web-v2").getSpec().getReplicas()).isEqualTo(3);
      assertThat(cluster.get(TARGET).getSpec().getReplicas()).isEqualTo(2);

      workloads.promote(spec, revisions);
      workloads.removeCanary(spec, revisions);
    }
    assertThat(names()).containsExactlyInAnyOrder(TARGET, "web-v2");
    assertThat(cluster.get(TARGET).getSpec().getReplicas()).as("the user's count is back").isEqualTo(4);
    assertThat(cluster.get(TARGET).getMetadata().getAnnotations()).doesNotContainKey("canary.io/user-replicas");
    assertThat(cluster.get("web-v2").getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("shop/web:2.0");
  }

  @Test
  void aMissingOrSelfReferencingExistingWorkloadIsAProblem() {
    new TestCluster(client).deployment(TARGET, 1, "shop/web:1.0");
    try (KubernetesWorkloads workloads = KubernetesWorkloads.create(client)) {
      assertThat(workloads.validate(spec(NewRevision.existingWorkload("web-v9"))))
          .extracting(Problem::where, Problem::message)
          .singleElement().asString().contains("revision.existingWorkload").contains("shop/web-v9 not found");
      assertThat(workloads.validate(spec(NewRevision.existingWorkload(TARGET))))
          .extracting(Problem::message).singleElement().asString().contains("names the target Deployment");
    }
  }

  private void loadScenario(String name) throws Exception {
    try (InputStream in = Files.newInputStream(Path.of("..", "scenarios", name, "cluster.yaml"))) {
      List<HasMetadata> objects = client.load(in).items();
      Set<String> kinds = Set.of("Deployment", "Service", "HorizontalPodAutoscaler");
      objects.stream().filter(o -> kinds.contains(o.getKind())).forEach(o -> client.resource(o).create());
    }
  }

  private Map<String, String> resourceVersions() {
    Map<String, String> versions = new java.util.TreeMap<>();
    client.apps().deployments().inAnyNamespace().list().getItems()
        .forEach(d -> versions.put(d.getMetadata().getName(), d.getMetadata().getResourceVersion()));
    return versions;
  }

  private List<String> names() {
    return client.apps().deployments().inNamespace(NS).list().getItems().stream()
        .map(Deployment::getMetadata).map(m -> m.getName()).toList();
  }
}
