package io.canary.gatewayapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.DriftPolicy;
import io.canary.core.PauseReason;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.Step;
import io.canary.core.event.DriftDetected;
import io.canary.core.event.RolloutEvent;
import io.canary.core.memory.InMemoryWorkloads;
import io.canary.core.spi.RouteWeight;
import io.canary.testing.SimulatedCluster;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Drift seen through the route watch on the simulated cluster, whose Gateway API implementation writes
 * route status after every change: weights edited by hand are reported and put back (or left while the
 * rollout pauses), a timeout the user edits meanwhile survives the promotion, and neither the
 * rollout's own writes nor the status the implementation writes count as drift.
 */
class DriftWatchTest {
  static final Duration STATUS_DELAY = Duration.ofSeconds(2);
  static final CanarySpec SPEC = CanarySpec.copyOf(AppAGatewayApiScenarioTest.SPEC)
      .withSteps(Step.setWeight(20), Step.pause(), Step.setWeight(50), Step.pause(Duration.ofMinutes(1)));

  SimulatedCluster sim;
  GatewayApiTrafficRouter router;
  final List<RolloutEvent> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    sim = SimulatedCluster.builder().routeStatusDelay(STATUS_DELAY).build();
    sim.loadScenario("appA-gateway-api");
    sim.advance(STATUS_DELAY);
    router = GatewayApiTrafficRouter.create(sim.client());
  }

  @AfterEach
  void stop() {
    router.close();
    sim.close();
  }

  private CanaryRunner runner(DriftPolicy policy) {
    return CanaryRunner.builder().trafficRouter(router).workloads(InMemoryWorkloads.create(sim.scheduler()))
        .scheduler(sim.scheduler()).driftPolicy(policy).addListener(events::add).build();
  }

  /** Runs what is due on the virtual clock until {@code condition} holds: the watch delivers on its own thread. */
  private void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    sim.settle();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      new CountDownLatch(1).await(10, TimeUnit.MILLISECONDS);
      sim.settle();
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }

  private void editRoute(Consumer<HTTPRoute> change) {
    sim.newClient().resources(HTTPRoute.class).inNamespace("nsa").withName("appa").edit(route -> {
      change.accept(route);
      return route;
    });
  }

  private static void weights(HTTPRoute route, int stable, int canary) {
    route.getSpec().getRules().get(0).getBackendRefs().get(0).setWeight(stable);
    route.getSpec().getRules().get(0).getBackendRefs().get(1).setWeight(canary);
  }

  private List<Integer> canaryWeights() {
    return router.currentWeights(SPEC).stream().map(RouteWeight::canaryWeight).toList();
  }

  private List<DriftDetected> drifts() {
    return events.stream().filter(e -> e instanceof DriftDetected).map(e -> (DriftDetected) e).toList();
  }

  @Test
  void weightsEditedByHandAreReportedAndPutBackAndAUserTimeoutSurvivesPromotion() throws Exception {
    try (CanaryRunner runner = runner(DriftPolicy.REVERT)) {
      RolloutHandle rollout = runner.start(SPEC);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));

      editRoute(route -> {
        weights(route, 30, 70);
        route.getSpec().getRules().get(0).getTimeouts().setRequest("7s");
      });
      eventually(() -> !drifts().isEmpty() && canaryWeights().equals(List.of(20)), "drift reported and weights put back");

      assertThat(drifts()).singleElement().satisfies(d -> {
        assertThat(d.found()).extracting(RouteWeight::object, RouteWeight::stableWeight, RouteWeight::canaryWeight)
            .containsExactly(org.assertj.core.groups.Tuple.tuple("HTTPRoute nsa/appa", 30, 70));
        assertThat(d.message()).contains("HTTPRoute nsa/appa").contains("has stable 30 / canary 70")
            .contains("the rollout owns stable 80 / canary 20");
      });
      rollout.promote();
      assertThat(rollout.await(Duration.ofHours(1)).phase()).isEqualTo(Phase.SUCCEEDED);
    }
    HTTPRoute end = sim.httpRoute("nsa", "appa").orElseThrow();
    assertThat(end.getSpec().getRules().get(0).getTimeouts().getRequest()).as("the user's edit survives").isEqualTo("7s");
    assertThat(end.getSpec().getRules().get(0).getBackendRefs()).extracting(b -> b.getWeight()).containsExactly(100, 0);
    assertThat(drifts()).hasSize(1);
  }

  @Test
  void withThePausePolicyTheWeightsStayAsFoundWhileTheRolloutPauses() throws Exception {
    try (CanaryRunner runner = runner(DriftPolicy.PAUSE)) {
      RolloutHandle rollout = runner.start(SPEC);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));

      editRoute(route -> weights(route, 100, 0));
      eventually(() -> rollout.status().pauseReason().equals(Optional.of(PauseReason.RoutingDrift)), "paused for the drift");
      sim.advance(Duration.ofMinutes(10));
      assertThat(canaryWeights()).as("left as found").containsExactly(0);
      assertThat(drifts()).singleElement().satisfies(d -> assertThat(d.policy()).isEqualTo(DriftPolicy.PAUSE));

      rollout.abort();
      assertThat(rollout.await(Duration.ofHours(1)).phase()).isEqualTo(Phase.ABORTED);
      assertThat(canaryWeights()).containsExactly(0);
    }
  }

  @Test
  void neitherTheRolloutsWritesNorTheRouteStatusAreDrift() throws Exception {
    try (CanaryRunner runner = runner(DriftPolicy.REVERT)) {
      RolloutHandle rollout = runner.start(SPEC);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));
      // the status of the weight's route written meanwhile, and seen by the watch
      eventually(() -> sim.httpRoute("nsa", "appa").orElseThrow().getStatus() != null, "route status written");
      sim.advance(Duration.ofMinutes(5));
      rollout.promote();
      assertThat(rollout.await(Duration.ofHours(1)).phase()).isEqualTo(Phase.SUCCEEDED);
    }
    assertThat(drifts()).isEmpty();
    assertThat(events).noneMatch(RolloutEvent::warning);
  }
}
