package io.canary.examples.scenarios;

import static io.canary.examples.scenarios.InCluster.selector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.canary.core.Phase;
import io.canary.core.event.DriftDetected;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutStatus;
import io.canary.examples.ScenarioPlans;
import io.canary.gatewayapi.GatewayApiTrafficRouter;
import io.canary.testing.CanaryAssertions;
import io.canary.testing.CanarySimulation;
import io.canary.testing.FlowStats;
import io.canary.testing.SimulatedCluster;
import io.canary.testing.UserGroup;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Seed appA-gateway-api end to end on the simulated cluster: the HTTPRoute attached to the ingress
 * Gateway and to the appa Service (in-mesh), its rule 'api' weighed 20 to 80, the header rule for
 * testers and the 10% mirror, the simulated Gateway API implementation programming each change and
 * writing the route's status; at the end the route and the Services are as the user wrote them.
 */
@CanarySimulation(scenario = "appA-gateway-api")
class AppAGatewayApiTest {
  private static final String NS = "nsa";
  private static final String NEW_IMAGE = "example/appa:1.1.0";

  @Test
  void theRouteCarriesEachStepAndTrafficFollowsItThroughTheGatewayAndTheMeshThenTheUserGetsTheRouteBack(SimulatedCluster sim) {
    InCluster.untilAvailable(sim, NS, "appa");
    sim.traffic().flow("ingress").throughGateway("nsa/public").to(NS, "appa.domain.com").rate(50)
        .users(UserGroup.withHeader("testers", 0.1, "x-canary", "always"));
    sim.traffic().flow("mesh").to(NS, "appa").rate(20);
    HTTPRoute seed = sim.httpRoute(NS, "appa").orElseThrow();
    Map<String, String> seedSelector = selector(sim, NS, "appa-stable");
    Instant start = sim.scheduler().now();

    try (GatewayApiTrafficRouter router = GatewayApiTrafficRouter.create(sim.client());
        RunnerOnSimulation canary = RunnerOnSimulation.on(sim, sim.client(), NS, client -> router)) {
      RolloutHandle rollout = canary.start(ScenarioPlans.appAGatewayApi(NEW_IMAGE));

      pausedAt(rollout, 20);
      assertRules(sim, 20, "api");

      RolloutStatus at40 = pausedAt(rollout, 40);
      assertRules(sim, 40, "canary-header", "api");
      assertThat(at40.stableRevision().orElseThrow().podLabels()).isNotEqualTo(at40.canaryRevision().orElseThrow().podLabels());
      assertThat(selector(sim, NS, "appa-canary")).containsAllEntriesOf(at40.canaryRevision().orElseThrow().podLabels());
      Instant from = sim.scheduler().now();
      sim.advance(Duration.ofSeconds(30));
      // testers (10% of the ingress) all go to the canary; everyone else follows the 40% weight
      double canaryShare = canaryShare(sim, from, sim.scheduler().now());
      assertThat(canaryShare).isCloseTo((50 * (0.1 + 0.9 * 0.4) + 20 * 0.4) / 70, within(0.01));

      pausedAt(rollout, 60);
      assertRules(sim, 60, "canary-header", "canary-mirror", "api");
      from = sim.scheduler().now();
      sim.advance(Duration.ofSeconds(30));
      FlowStats ingress = sim.traffic().flowStats("ingress", from, sim.scheduler().now());
      assertThat((double) ingress.mirrored() / ingress.requests()).as("10% of the non-testers mirrored").isCloseTo(0.09, within(0.01));

      pausedAt(rollout, 80);
      assertRules(sim, 80, "canary-header", "canary-mirror", "api");

      RolloutStatus done = rollout.await(Duration.ofMinutes(30));
      CanaryAssertions.assertThat(done).hasPhase(Phase.SUCCEEDED);
      CanaryAssertions.assertThat(canary.history).passedThroughWeights(20, 40, 60, 80, 0);
      assertThat(canary.history.events()).as("no drift for the rollout's own writes").noneMatch(e -> e instanceof DriftDetected);
    }
    HTTPRoute end = sim.httpRoute(NS, "appa").orElseThrow();
    assertThat(end.getSpec()).as("the route as the user wrote it").isEqualTo(seed.getSpec());
    assertThat(end.getMetadata().getLabels()).isEqualTo(seed.getMetadata().getLabels());
    assertThat(end.getMetadata().getAnnotations()).isEqualTo(seed.getMetadata().getAnnotations());
    assertThat(selector(sim, NS, "appa-stable")).isEqualTo(seedSelector);
    assertThat(selector(sim, NS, "appa-canary")).isEqualTo(seedSelector);
    assertThat(end.getStatus().getParents()).as("both parents accepted the route as the user wrote it").hasSize(2)
        .allSatisfy(p -> assertThat(p.getConditions()).allSatisfy(c -> {
          assertThat(c.getStatus()).isEqualTo("True");
          assertThat(c.getObservedGeneration()).isEqualTo(end.getMetadata().getGeneration());
        }));
    Instant stop = sim.scheduler().now();
    assertThat(sim.traffic().flowStats("ingress", start, stop).unavailable()).isZero();
    assertThat(sim.traffic().flowStats("mesh", start, stop).unavailable()).isZero();
    assertThat(sim.traffic().sampleByImage(NEW_IMAGE, start, stop).requests()).isPositive();
  }

  private static RolloutStatus pausedAt(RolloutHandle rollout, int weight) {
    return rollout.await(s -> s.phase() == Phase.PAUSED && s.currentWeight() == weight, Duration.ofMinutes(10));
  }

  /** The route's rules by name, in order, and the weights of rule 'api'. */
  private static void assertRules(SimulatedCluster sim, int canaryWeight, String... rules) {
    HTTPRoute route = sim.httpRoute(NS, "appa").orElseThrow();
    assertThat(route.getSpec().getRules()).extracting(HTTPRouteRule::getName).containsExactly(rules);
    HTTPRouteRule api = route.getSpec().getRules().get(rules.length - 1);
    assertThat(api.getBackendRefs()).extracting(HTTPBackendRef::getName, HTTPBackendRef::getWeight)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("appa-stable", 100 - canaryWeight),
            org.assertj.core.groups.Tuple.tuple("appa-canary", canaryWeight));
    assertThat(api.getTimeouts().getRequest()).isEqualTo("10s");
  }

  private static double canaryShare(SimulatedCluster sim, Instant from, Instant to) {
    long canary = sim.traffic().sampleByImage(NEW_IMAGE, from, to).requests();
    long stable = sim.traffic().sampleByImage("example/appa:1.0.0", from, to).requests();
    return (double) canary / (canary + stable);
  }
}
