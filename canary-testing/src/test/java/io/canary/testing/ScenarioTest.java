package io.canary.testing;

import static io.canary.testing.CanaryAssertions.assertThatVirtualService;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

@CanarySimulation(scenario = "rollouts-demo-subsets", podStartupSeconds = 10)
class ScenarioTest {
  private static final String NS = "istio-argo-rollouts";

  @Test
  void theDemoClusterComesUpWithItsObjectsAsWritten(SimulatedCluster sim, KubernetesClient client) {
    sim.advanceUntil("rollouts-demo-deployment available", () -> {
      Deployment d = client.apps().deployments().inNamespace(NS).withName("rollouts-demo-deployment").get();
      return d.getStatus() != null && Integer.valueOf(5).equals(d.getStatus().getAvailableReplicas());
    }, Duration.ofMinutes(1));

    assertThat(sim.scheduler().now()).isEqualTo("2026-01-01T00:00:10Z");
    // kept at the version the user wrote: the mock converts nothing
    assertThat(client.resources(io.fabric8.istio.api.networking.v1alpha3.VirtualService.class).inNamespace(NS)
        .withName("rollouts-demo-vs2").get()).isNotNull();
    assertThatVirtualService(sim, NS, "rollouts-demo-vs2").hasHttpRouteNames("route-one")
        .hasRouteWeights("route-one", 100, 0);
  }

  @Test
  void gatewayTrafficDrivesTheHpaUpToItsMaximum(SimulatedCluster sim, KubernetesClient client,
      TrafficSimulator traffic) {
    // 25 req/s at 1 millicore each over 5 pods requesting 5m: 100% against a 10% target
    traffic.flow("browsers").throughGateway("istio-system/rollouts-demo-gateway")
        .to(NS, "rollouts-demo.example.com").rate(25);
    sim.advance(Duration.ofMinutes(3));

    assertThat(client.apps().deployments().inNamespace(NS).withName("rollouts-demo-deployment").get()
        .getSpec().getReplicas()).isEqualTo(6);
    assertThat(sim.hpaDesiredReplicas()).containsEntry(NS + "/hpa-rollout-example", 6);
    List<Timeline.Sample> samples = sim.timeline().samples();
    assertThat(samples.get(samples.size() - 1).hpaDesired()).containsEntry(NS + "/hpa-rollout-example", 6);
    assertThat(traffic.sampleByImage("argoproj/rollouts-demo:blue", sim.scheduler().now().minusSeconds(60),
        sim.scheduler().now()).requests()).isEqualTo(1_500);
  }

  @Test
  void meshTrafficIsNotRoutedByAVirtualServiceBoundOnlyToAGateway(SimulatedCluster sim, TrafficSimulator traffic) {
    sim.advance(Duration.ofSeconds(10));
    traffic.flow("mesh").to(NS, "rollouts-demo.example.com").rate(10);
    sim.advance(Duration.ofSeconds(10));
    assertThat(traffic.flowStats("mesh", sim.scheduler().now().minusSeconds(10), sim.scheduler().now())
        .notRouted()).isEqualTo(100);
  }
}
