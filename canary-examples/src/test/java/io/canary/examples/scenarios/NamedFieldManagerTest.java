package io.canary.examples.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.client.FieldManager;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.examples.ScenarioPlans;
import io.canary.istio.IstioTrafficRouter;
import io.canary.testing.CanarySimulation;
import io.canary.testing.ObservedRequest;
import io.canary.testing.SimulatedCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The field manager is the host's to name: every adapter given a client derived with
 * {@code FieldManager.client(host, name)} writes under that name (LeastPrivilegeTest shows the default,
 * {@code canary-sdk}, on every write of every seed scenario).
 */
class NamedFieldManagerTest {
  @Test
  @CanarySimulation(scenario = "rollouts-demo-subsets", podStartupSeconds = 10)
  void everyAdapterGivenANamedClientWritesUnderThatName(SimulatedCluster sim) {
    RolloutsDemoSeed.runningWithBrowsers(sim);
    KubernetesClient client = FieldManager.client(sim.client(), "deployer-1");
    int from = sim.requests().size();
    IstioTrafficRouter router = IstioTrafficRouter.create(client);
    try (RunnerOnSimulation canary = RunnerOnSimulation.on(sim, client, RolloutsDemoObjects.DEMO_NS, c -> router)) {
      RolloutHandle rollout = canary.start(ScenarioPlans.rolloutsDemo(RolloutsDemoObjects.RED));
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));
      rollout.abort();
      assertThat(rollout.await(Duration.ofHours(1)).phase()).isEqualTo(Phase.ABORTED);
    }
    List<ObservedRequest> writes = sim.requests().subList(from, sim.requests().size()).stream()
        .filter(ObservedRequest::isWriteUnderTest).filter(r -> !r.method().equals("DELETE")).toList();

    assertThat(writes).extracting(r -> LeastPrivilegeTest.accessOf(r.method(), URI.create(r.path())).orElseThrow().resource())
        .as("writes of the router, workloads, autoscalers, status, claim, lease and events")
        .contains("virtualservices", "destinationrules", "deployments", "horizontalpodautoscalers", "configmaps", "leases",
            "events");
    assertThat(writes).allSatisfy(w -> assertThat(w.path()).endsWith("?fieldManager=deployer-1"));
  }
}
