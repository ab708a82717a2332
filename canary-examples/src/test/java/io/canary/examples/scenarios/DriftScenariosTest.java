package io.canary.examples.scenarios;

import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_CANARY;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_DEPLOYMENT;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_NS;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_VS;
import static io.canary.examples.scenarios.RolloutsDemoObjects.RED;
import static io.canary.testing.CanaryAssertions.assertThatVirtualService;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.Condition;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutStatus;
import io.canary.core.event.DriftDetected;
import io.canary.examples.ScenarioPlans;
import io.canary.testing.CanarySimulation;
import io.canary.testing.SimulatedCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Seed rollouts-demo-subsets with every real adapter on the simulated cluster, while someone else
 * changes what the rollout owns: weights edited by hand while the rollout is paused are reported (an
 * event, a Kubernetes Event) and put back, a timeout the user adds meanwhile survives the promotion,
 * and a canary Deployment deleted by hand aborts the release with a reason that names it.
 */
@CanarySimulation(scenario = "rollouts-demo-subsets", podStartupSeconds = 10)
class DriftScenariosTest {

  @Test
  void weightsEditedByHandWhilePausedAreReportedAndPutBackAndTheUsersTimeoutSurvivesPromotion(SimulatedCluster sim) {
    RolloutsDemoSeed.runningWithBrowsers(sim);
    try (RunnerOnSimulation canary = RunnerOnSimulation.on(sim, DEMO_NS)) {
      RolloutHandle rollout = canary.start(ScenarioPlans.rolloutsDemo(RED));
      rollout.await(s -> s.phase() == Phase.PAUSED && s.currentWeight() == 20, Duration.ofMinutes(10));

      editRouteOne(sim, route -> {
        destinations(route).get(0).put("weight", 30);
        destinations(route).get(1).put("weight", 70);
        route.put("timeout", "7s");
      });
      rollout.await(s -> drifts(canary).size() == 1 && routeOne(sim).getRoute().get(1).getWeight() == 20,
          Duration.ofMinutes(1));

      assertThatVirtualService(sim, DEMO_NS, DEMO_VS).hasRouteWeights("route-one", 80, 20);
      assertThat(routeOne(sim).getTimeout()).as("the user's timeout, kept when the weights are put back").isEqualTo("7s");
      assertThat(drifts(canary).get(0).message())
          .contains("VirtualService " + DEMO_NS + "/" + DEMO_VS + " http route 'route-one' has stable 30 / canary 70")
          .contains("the rollout owns stable 80 / canary 20");
      assertThat(InCluster.eventReasons(sim, DEMO_NS, "Deployment", DEMO_DEPLOYMENT)).contains("DriftDetected");
      assertThat(rollout.status().phase()).isEqualTo(Phase.PAUSED);

      rollout.promote();
      assertThat(rollout.await(Duration.ofHours(1)).phase()).isEqualTo(Phase.SUCCEEDED);
      assertThatVirtualService(sim, DEMO_NS, DEMO_VS).hasRouteWeights("route-one", 100, 0);
      assertThat(routeOne(sim).getTimeout()).as("the user's timeout after the release").isEqualTo("7s");
      assertThat(drifts(canary)).as("the rollout's own writes are no drift").hasSize(1);
    }
  }

  @Test
  void aCanaryDeploymentDeletedByHandWhilePausedAbortsTheReleaseNamingIt(SimulatedCluster sim) {
    RolloutsDemoSeed seed = RolloutsDemoSeed.runningWithBrowsers(sim);
    try (RunnerOnSimulation canary = RunnerOnSimulation.on(sim, DEMO_NS)) {
      RolloutHandle rollout = canary.start(ScenarioPlans.rolloutsDemo(RED));
      rollout.await(s -> s.phase() == Phase.PAUSED && s.currentWeight() == 20, Duration.ofMinutes(10));

      sim.newClient().apps().deployments().inNamespace(DEMO_NS).withName(DEMO_CANARY).delete();
      RolloutStatus ended = rollout.await(Duration.ofHours(1));

      assertThat(ended.phase()).isEqualTo(Phase.ABORTED);
      assertThat(ended.conditions()).extracting(Condition::reason).contains("CanaryWorkloadLost");
      assertThat(ended.abortReason().orElse(""))
          .contains("canary Deployment " + DEMO_NS + "/" + DEMO_CANARY + " was deleted outside the rollout");
      assertThatVirtualService(sim, DEMO_NS, DEMO_VS).hasRouteWeights("route-one", 100, 0).hasSameUnownedFieldsAs(seed.seedVs);
      assertThat(InCluster.eventMessages(sim, DEMO_NS, "Deployment", DEMO_DEPLOYMENT))
          .anyMatch(m -> m.contains(DEMO_CANARY + " was deleted outside the rollout"));
    }
  }

  /** Edits http route 'route-one' as another writer would: a read and a guarded write, at the version it is served at. */
  @SuppressWarnings("unchecked")
  private static void editRouteOne(SimulatedCluster sim, Consumer<Map<String, Object>> change) {
    String apiVersion = sim.client().genericKubernetesResources("networking.istio.io/v1", "VirtualService")
        .inNamespace(DEMO_NS).withName(DEMO_VS).get() != null ? "networking.istio.io/v1" : "networking.istio.io/v1alpha3";
    sim.newClient().genericKubernetesResources(apiVersion, "VirtualService").inNamespace(DEMO_NS).withName(DEMO_VS).edit(vs -> {
      Map<String, Object> spec = (Map<String, Object>) vs.getAdditionalProperties().get("spec");
      change.accept(((List<Map<String, Object>>) spec.get("http")).get(0));
      return vs;
    });
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> destinations(Map<String, Object> route) {
    return (List<Map<String, Object>>) route.get("route");
  }

  private static List<DriftDetected> drifts(RunnerOnSimulation canary) {
    return canary.history.events().stream().filter(e -> e instanceof DriftDetected).map(e -> (DriftDetected) e).toList();
  }

  private static io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute routeOne(SimulatedCluster sim) {
    return sim.virtualService(DEMO_NS, DEMO_VS).orElseThrow().getSpec().getHttp().get(0);
  }
}
