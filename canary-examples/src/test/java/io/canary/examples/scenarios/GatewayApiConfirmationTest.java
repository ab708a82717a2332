package io.canary.examples.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanarySpec;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutStatus;
import io.canary.core.Step;
import io.canary.examples.ScenarioPlans;
import io.canary.gatewayapi.ConfirmationPolicy;
import io.canary.gatewayapi.GatewayApiStrategy;
import io.canary.gatewayapi.GatewayApiTrafficRouter;
import io.canary.gatewayapi.RouteRef;
import io.canary.testing.CanarySimulation;
import io.canary.testing.SimulatedCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runner and the Gateway API router's confirmation together, on the simulated cluster: a weight
 * counts as applied once every parent accepted the generation that was written, a refusing parent
 * stops the rollout with its reason, no status under REQUIRE runs into the progress deadline, and OFF
 * does not wait. The first three need the engine to wait for {@code TrafficRouter.confirmation} after
 * a weight change (being added in canary-core).
 */
@CanarySimulation(scenario = "appA-gateway-api")
class GatewayApiConfirmationTest {
  private static final String NS = "nsa";
  private static final Duration STATUS_DELAY = Duration.ofSeconds(20);

  @BeforeEach
  void seedIsRunning(SimulatedCluster sim) {
    InCluster.untilAvailable(sim, NS, "appa");
  }

  /** The scenario's first weight and pause, under {@code policy}, with a two-minute progress deadline. */
  static CanarySpec spec(ConfirmationPolicy policy) {
    return CanarySpec.copyOf(ScenarioPlans.appAGatewayApi("example/appa:1.1.0"))
        .withTraffic(GatewayApiStrategy.builder().stableService("appa-stable").canaryService("appa-canary")
            .addRoutes(RouteRef.http("appa", "api")).confirmation(policy).build())
        .withSteps(Step.setWeight(20), Step.pause())
        .withProgressDeadline(Duration.ofMinutes(2));
  }

  @Test
  void theStepWaitsUntilEveryParentAcceptedTheGenerationThatWasWritten(SimulatedCluster sim) {
    sim.gatewayApi().statusDelay(STATUS_DELAY);
    try (GatewayApiTrafficRouter router = GatewayApiTrafficRouter.create(sim.client());
        RunnerOnSimulation canary = RunnerOnSimulation.on(sim, sim.client(), NS, client -> router)) {
      RolloutHandle rollout = canary.start(spec(ConfirmationPolicy.REQUIRE));
      RolloutStatus paused = rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));

      HTTPRoute route = sim.httpRoute(NS, "appa").orElseThrow();
      assertThat(route.getSpec().getRules().get(0).getBackendRefs().get(1).getWeight()).isEqualTo(20);
      Instant accepted = route.getStatus().getParents().stream().flatMap(p -> p.getConditions().stream())
          .filter(c -> c.getObservedGeneration().equals(route.getMetadata().getGeneration()))
          .map(Condition::getLastTransitionTime).map(Instant::parse).max(Instant::compareTo)
          .orElseThrow(() -> new AssertionError("the pause began before any parent judged generation " + route.getMetadata().getGeneration()));
      assertThat(paused.lastTransitionTime()).as("the pause begins once both parents accepted weight 20")
          .isAfterOrEqualTo(accepted);
    }
  }

  @Test
  void aParentThatRefusesTheRouteStopsTheRolloutWithThatParentsReason(SimulatedCluster sim) {
    sim.gatewayApi().refuseGateway(NS, "public", "NotAllowedByListeners", "listener http allows no routes from namespace nsa");
    try (GatewayApiTrafficRouter router = GatewayApiTrafficRouter.create(sim.client());
        RunnerOnSimulation canary = RunnerOnSimulation.on(sim, sim.client(), NS, client -> router)) {
      RolloutStatus end = canary.start(spec(ConfirmationPolicy.REQUIRE)).await(Duration.ofMinutes(10));

      assertThat(end.phase()).isIn(Phase.ABORTED, Phase.FAILED);
      assertThat(end.abortReason().or(end::message)).hasValueSatisfying(why -> assertThat(why)
          .contains("NotAllowedByListeners", "Gateway nsa/public", "listener http allows no routes from namespace nsa"));
      HTTPRoute route = sim.httpRoute(NS, "appa").orElseThrow();
      assertThat(route.getSpec().getRules().get(0).getBackendRefs().get(1).getWeight()).as("all traffic back on stable").isZero();
    }
  }

  @Test
  void noStatusUnderRequireRunsIntoTheProgressDeadlineWithAClearMessage(SimulatedCluster sim) {
    sim.gatewayApi().writesStatus(false);
    try (GatewayApiTrafficRouter router = GatewayApiTrafficRouter.create(sim.client());
        RunnerOnSimulation canary = RunnerOnSimulation.on(sim, sim.client(), NS, client -> router)) {
      Instant start = sim.scheduler().now();
      RolloutStatus end = canary.start(spec(ConfirmationPolicy.REQUIRE)).await(Duration.ofMinutes(10));

      assertThat(end.phase()).isIn(Phase.ABORTED, Phase.FAILED);
      assertThat(end.abortReason().or(end::message)).hasValueSatisfying(why -> assertThat(why)
          .contains("progress deadline", "HTTPRoute nsa/appa", "is not confirmed by every parent yet"));
      assertThat(end.lastTransitionTime()).isAfterOrEqualTo(start.plus(Duration.ofMinutes(2)));
    }
  }

  @Test
  void offDoesNotWaitForAnImplementationThatWritesNoStatus(SimulatedCluster sim) {
    sim.gatewayApi().writesStatus(false).statusDelay(STATUS_DELAY);
    try (GatewayApiTrafficRouter router = GatewayApiTrafficRouter.create(sim.client());
        RunnerOnSimulation canary = RunnerOnSimulation.on(sim, sim.client(), NS, client -> router)) {
      Instant start = sim.scheduler().now();
      RolloutStatus paused = canary.start(spec(ConfirmationPolicy.OFF)).await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));

      assertThat(paused.currentWeight()).isEqualTo(20);
      assertThat(sim.httpRoute(NS, "appa").orElseThrow().getStatus().getParents()).as("the seed's status only")
          .allSatisfy(p -> assertThat(p.getConditions()).allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(1L)));
      assertThat(paused.lastTransitionTime()).as("the pause begins without waiting for a status")
          .isBefore(start.plus(STATUS_DELAY));
    }
  }
}
