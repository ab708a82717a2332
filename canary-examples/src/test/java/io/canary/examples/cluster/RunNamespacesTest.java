package io.canary.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.CanarySpec;
import io.canary.examples.ScenarioPlans;
import io.canary.testing.SimulatedCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

/**
 * The real-cluster suite's namespaces, on the in-process API server: a run's own namespace per
 * scenario, made from the seed and deleted afterwards, so that a second run on the same cluster starts
 * from the seed again.
 */
class RunNamespacesTest {
  @Test
  void aNamespaceIsTheScenariosWithTheRunIdAndStaysADns1123Label() {
    assertThat(RunNamespaces.namespaceFor("nsa", "k3x9q")).isEqualTo("nsa-k3x9q");
    String longest = RunNamespaces.namespaceFor("a".repeat(60) + "-b", "k3x9q");
    assertThat(longest).hasSize(63).endsWith("-k3x9q").matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    assertThat(RunNamespaces.namespaceFor("a".repeat(57) + "-b", "k3x9q")).as("no '--' where the base is cut")
        .isEqualTo("a".repeat(57) + "-k3x9q");
    assertThat(RunNamespaces.newRunId()).matches("[a-z0-9]{5}");
    assertThatThrownBy(() -> RunNamespaces.namespaceFor("nsa", "Not-An-Id")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Not-An-Id'");
  }

  @Test
  void eachRunCreatesTheSeedInItsOwnNamespaceAndDeletesItAfterwards() {
    try (SimulatedCluster sim = SimulatedCluster.builder().build()) {
      KubernetesClient client = sim.client();
      CanarySpec first;
      try (RunNamespaces run = new RunNamespaces(client, "run1")) {
        first = run.create("appA-services", ScenarioPlans.appA());
        assertThat(first.namespace()).isEqualTo("nsa-run1");
        assertThat(first).isEqualTo(CanarySpec.copyOf(ScenarioPlans.appA()).withNamespace("nsa-run1"));
        assertThat(client.namespaces().withName("nsa-run1").get().getMetadata().getLabels())
            .containsEntry(RunNamespaces.RUN_LABEL, "run1").containsEntry("istio-injection", "enabled");
        assertThat(image(client, "nsa-run1")).isEqualTo("example/appa:1.0.0");
        assertThat(sim.virtualService("nsa-run1", "virtual-service-appa").orElseThrow().getSpec().getHosts())
            .contains("appa.nsa-run1.svc.cluster.local").noneMatch(h -> h.contains(".nsa.svc"));
        assertThat(client.apps().deployments().inNamespace("nsa").withName("appa").get())
            .as("nothing is written to the scenario's own namespace").isNull();
        // What a successful run leaves: the stable Deployment on the new revision.
        client.apps().deployments().inNamespace("nsa-run1").withName("appa").edit(d -> new DeploymentBuilder(d)
            .editSpec().editTemplate().editSpec().editFirstContainer().withImage("example/appa:1.1.0").endContainer()
            .endSpec().endTemplate().endSpec().build());
        assertThat(run.namespaces()).containsExactly("nsa-run1");
      }
      assertThat(client.namespaces().withName("nsa-run1").get()).as("deleted by the run's close").isNull();

      try (RunNamespaces again = new RunNamespaces(client, "run2")) {
        CanarySpec second = again.create("appA-services", ScenarioPlans.appA());
        assertThat(second.namespace()).isEqualTo("nsa-run2");
        assertThat(image(client, "nsa-run2")).as("the second run starts from the seed").isEqualTo("example/appa:1.0.0");
      }
      assertThat(client.namespaces().withLabel(RunNamespaces.RUN_LABEL).list().getItems()).isEmpty();
    }
  }

  private static String image(KubernetesClient client, String namespace) {
    Deployment d = client.apps().deployments().inNamespace(namespace).withName("appa").get();
    return d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }
}
