package io.canary.examples.scenarios;

import static io.canary.examples.scenarios.InCluster.deployment;
import static io.canary.examples.scenarios.InCluster.image;
import static io.canary.examples.scenarios.InCluster.selector;
import static io.canary.testing.CanaryAssertions.assertThatVirtualService;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.Phase;
import io.canary.core.event.DriftDetected;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutStatus;
import io.canary.examples.ScenarioPlans;
import io.canary.testing.CanaryAssertions;
import io.canary.testing.CanarySimulation;
import io.canary.testing.SimulatedCluster;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Seed appA-services end to end: two Services, weights 20 to 80 a minute apart, promotion without unavailability. */
@CanarySimulation(scenario = "appA-services")
class AppAServicesTest {
  private static final String NS = "nsa";
  private static final String VS = "virtual-service-appa";
  private static final String ROUTE = "appa-http-route";
  private static final String STABLE_SERVICE = "appa-stable-service";
  private static final String CANARY_SERVICE = "appa-canary-service";

  @Test
  void servicesSelectOneRevisionEachDuringTheRolloutAndPromotionNeverLeavesFewerThanFourAvailablePods(
      SimulatedCluster sim) {
    InCluster.untilAvailable(sim, NS, "appa");
    sim.traffic().flow("mesh").to(NS, "appa.nsa.svc.cluster.local").rate(20);
    VirtualService seedVs = sim.virtualService(NS, VS).orElseThrow();
    Map<String, String> seedSelector = selector(sim, NS, STABLE_SERVICE);
    Deployment seedDeployment = deployment(sim, NS, "appa");
    Instant start = sim.scheduler().now();

    try (RunnerOnSimulation canary = RunnerOnSimulation.on(sim, NS)) {
      RolloutHandle rollout = canary.start(ScenarioPlans.appA());
      int[][] expectedWeights = {{80, 20}, {60, 40}, {40, 60}, {20, 80}};
      for (int[] weights : expectedWeights) {
        RolloutStatus paused = rollout.await(s -> s.phase() == Phase.PAUSED && s.currentWeight() == weights[1],
            Duration.ofMinutes(10));
        assertThatVirtualService(sim, NS, VS).hasRouteWeights(ROUTE, weights)
            .hasSameUnownedFieldsAs(seedVs);
        assertThat(selector(sim, NS, STABLE_SERVICE)).as("stable Service selector at %s%%", weights[1])
            .isEqualTo(plus(seedSelector, paused.stableRevision().orElseThrow().podLabels()));
        assertThat(selector(sim, NS, CANARY_SERVICE)).as("canary Service selector at %s%%", weights[1])
            .isEqualTo(plus(seedSelector, paused.canaryRevision().orElseThrow().podLabels()));
      }
      assertThat(rollout.status().stableRevision().orElseThrow().podLabels())
          .isNotEqualTo(rollout.status().canaryRevision().orElseThrow().podLabels()).isNotEmpty();

      rollout.await(s -> s.phase() == Phase.PROMOTING, Duration.ofMinutes(5));
      List<Integer> availableDuringPromotion = new ArrayList<>();
      List<Integer> podsDuringPromotion = new ArrayList<>();
      while (!rollout.status().phase().isTerminal()) {
        DeploymentStatus status = deployment(sim, NS, "appa").getStatus();
        availableDuringPromotion.add(orZero(status.getAvailableReplicas()));
        podsDuringPromotion.add(orZero(status.getReplicas()));
        sim.advance(Duration.ofSeconds(1));
      }
      RolloutStatus done = rollout.status();
      Instant end = sim.scheduler().now();

      CanaryAssertions.assertThat(done).hasPhase(Phase.SUCCEEDED);
      CanaryAssertions.assertThat(canary.history).passedThroughWeights(20, 40, 60, 80, 0);
      assertThat(canary.history.events()).as("no drift for the rollout's own writes").noneMatch(e -> e instanceof DriftDetected);
      assertThat(availableDuringPromotion).as("available stable pods, second by second, during promotion")
          .hasSizeGreaterThan(5).allMatch(n -> n >= 4);
      assertThat(podsDuringPromotion).as("pods of the stable Deployment during promotion (maxSurge 3)")
          .allMatch(n -> n <= 7).anyMatch(n -> n > 4);
      assertThatVirtualService(sim, NS, VS).hasRouteWeights(ROUTE, 100, 0).hasSameUnownedFieldsAs(seedVs);
      assertThat(selector(sim, NS, STABLE_SERVICE)).isEqualTo(seedSelector);
      assertThat(selector(sim, NS, CANARY_SERVICE)).isEqualTo(seedSelector);
      Deployment stable = deployment(sim, NS, "appa");
      assertThat(image(stable)).isEqualTo("example/appa:1.1.0");
      assertThat(stable.getSpec().getStrategy()).as("the user's own strategy, given back")
          .isEqualTo(seedDeployment.getSpec().getStrategy());
      assertThat(deployment(sim, NS, "appa-canary")).isNull();
      assertThat(sim.traffic().flowStats("mesh", start, end).unavailable()).isZero();
      assertThat(sim.traffic().sampleByImage("example/appa:1.1.0", start, end).requests()).isPositive();
    }
  }

  private static Map<String, String> plus(Map<String, String> a, Map<String, String> b) {
    Map<String, String> out = new HashMap<>(a);
    out.putAll(b);
    return out;
  }

  private static int orZero(Integer n) {
    return n == null ? 0 : n;
  }
}
