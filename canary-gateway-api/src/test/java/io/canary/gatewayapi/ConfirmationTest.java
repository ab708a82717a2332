package io.canary.gatewayapi;

import static io.canary.gatewayapi.States.during;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanarySpec;
import io.canary.core.spi.RoutingConfirmation;
import io.canary.core.spi.RoutingConfirmation.State;
import io.canary.core.spi.RoutingState;
import io.canary.testing.SimulatedCluster;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Confirmation on the simulated cluster, whose Gateway API implementation writes each parent's route
 * status two seconds (virtual) after the route changes: the router's watch sees it, with no read per call.
 */
class ConfirmationTest {
  static final Duration STATUS_DELAY = Duration.ofSeconds(2);

  SimulatedCluster sim;
  GatewayApiTrafficRouter router;

  @BeforeEach
  void start() {
    sim = SimulatedCluster.builder().routeStatusDelay(STATUS_DELAY).build();
    sim.loadScenario("appA-gateway-api");
    sim.advance(STATUS_DELAY); // the seed is accepted, as in a running cluster
    router = GatewayApiTrafficRouter.create(sim.client());
  }

  @AfterEach
  void stop() {
    router.close();
    sim.close();
  }

  static CanarySpec spec(ConfirmationPolicy policy) {
    return CanarySpec.copyOf(AppAGatewayApiScenarioTest.SPEC).withTraffic(GatewayApiStrategy.builder()
        .stableService("appa-stable").canaryService("appa-canary").addRoutes(RouteRef.http("appa", "api"))
        .confirmation(policy).build());
  }

  private RoutingConfirmation applyAndSettle(CanarySpec spec, RoutingState state) {
    router.apply(spec, state);
    sim.settle();
    return router.confirmation(spec, state);
  }

  @Test
  void aWeightIsConfirmedOnceEveryParentAcceptedTheGenerationThatWasWritten() {
    CanarySpec spec = spec(ConfirmationPolicy.REQUIRE);
    AtomicInteger changes = new AtomicInteger();
    try (AutoCloseable watch = router.watchConfirmation(spec, changes::incrementAndGet)) {
      RoutingConfirmation written = applyAndSettle(spec, during(20));
      long generation = sim.httpRoute("nsa", "appa").orElseThrow().getMetadata().getGeneration();

      assertThat(written.state()).isEqualTo(State.PENDING);
      assertThat(written.message()).contains("HTTPRoute nsa/appa generation " + generation + " is not confirmed by every parent yet",
          "Gateway nsa/public (sectionName http) has judged generation " + (generation - 1) + " only",
          "Service nsa/appa port 80 has judged generation " + (generation - 1) + " only");

      sim.advance(STATUS_DELAY.minusSeconds(1));
      assertThat(router.confirmation(spec, during(20)).state()).isEqualTo(State.PENDING);
      int changesBefore = changes.get();

      sim.advance(Duration.ofSeconds(1));
      assertThat(router.confirmation(spec, during(20))).isEqualTo(RoutingConfirmation.confirmed());
      assertThat(changes.get()).as("the watch told of the status").isGreaterThan(changesBefore);
      // and a state the route does not carry is not confirmed by it
      assertThat(router.confirmation(spec, during(40)).state()).isEqualTo(State.PENDING);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aRouterThatDidNotWriteTheRoutesJudgesThemAsTheyAreForARunnerThatResumedAfterAnotherDiedBeforeItsSave() {
    CanarySpec spec = spec(ConfirmationPolicy.REQUIRE);
    // The first runner wrote 40 and died before saving it: the status the resumed runner holds says 20.
    applyAndSettle(spec, during(40));
    try (GatewayApiTrafficRouter resumed = GatewayApiTrafficRouter.create(sim.newClient())) {
      assertThat(resumed.confirmation(spec, during(20)).state()).as("before the parents judged the write")
          .isEqualTo(State.PENDING);
      sim.advance(STATUS_DELAY);
      assertThat(resumed.confirmation(spec, during(20))).as("the routes as they are, accepted")
          .isEqualTo(RoutingConfirmation.confirmed());

      resumed.apply(spec, during(40));
      sim.settle();
      assertThat(resumed.confirmation(spec, during(20)).reason()).as("once it wrote them, what it wrote")
          .isEqualTo("WriteNotSeen");
      assertThat(resumed.confirmation(spec, during(40))).isEqualTo(RoutingConfirmation.confirmed());
    }
  }

  @Test
  void aParentThatRefusesTheRouteRefusesTheWeightWithItsReasonAndMessage() {
    sim.gatewayApi().refuseGateway("nsa", "public", "NotAllowedByListeners", "listener http does not allow routes from namespace nsa");
    CanarySpec spec = spec(ConfirmationPolicy.REQUIRE);

    applyAndSettle(spec, during(20));
    sim.advance(STATUS_DELAY);
    RoutingConfirmation refused = router.confirmation(spec, during(20));

    assertThat(refused.state()).isEqualTo(State.REFUSED);
    assertThat(refused.reason()).isEqualTo("NotAllowedByListeners");
    assertThat(refused.message()).startsWith("HTTPRoute nsa/appa generation 2 is refused: Gateway nsa/public (sectionName http)"
        + " says Accepted=False, reason NotAllowedByListeners: listener http does not allow routes from namespace nsa");
  }

  @Test
  void anImplementationThatWritesNoStatusLeavesTheWeightPendingWithTheParentsNamed() {
    sim.gatewayApi().writesStatus(false);
    CanarySpec spec = spec(ConfirmationPolicy.REQUIRE);

    applyAndSettle(spec, during(20));
    sim.advance(Duration.ofMinutes(10));
    RoutingConfirmation pending = router.confirmation(spec, during(20));

    assertThat(pending.state()).isEqualTo(State.PENDING);
    assertThat(pending.reason()).isEqualTo("AwaitingRouteStatus");
    assertThat(pending.message()).isEqualTo("HTTPRoute nsa/appa generation 2 is not confirmed by every parent yet:"
        + " Gateway nsa/public (sectionName http) has judged generation 1 only (Accepted=True);"
        + " Service nsa/appa port 80 has judged generation 1 only (Accepted=True)");
  }

  @Test
  void offConfirmsAtOnceAndWatchesOnlyWhatItsReadsComeFrom() {
    CanarySpec spec = spec(ConfirmationPolicy.OFF);
    sim.gatewayApi().writesStatus(false);

    assertThat(applyAndSettle(spec, during(20))).isEqualTo(RoutingConfirmation.confirmed());
    // only the informers the router reads its routes and Services from
    assertThat(sim.requests()).filteredOn(r -> !r.bySimulator() && r.path().contains("watch=true"))
        .extracting(r -> r.path().replaceAll("\\?.*", "")).containsOnly(
            "/apis/gateway.networking.k8s.io/v1/namespaces/nsa/httproutes", "/api/v1/namespaces/nsa/services");
  }

  @Test
  void warnGoesOnAtOnceEvenWhenAParentRefuses() {
    sim.gatewayApi().refuseService("nsa", "appa", "NotAllowedByPolicy", "mesh policy forbids it");
    CanarySpec spec = spec(ConfirmationPolicy.WARN);

    assertThat(applyAndSettle(spec, during(20))).isEqualTo(RoutingConfirmation.confirmed());
    sim.advance(STATUS_DELAY);
    assertThat(router.confirmation(spec, during(20))).isEqualTo(RoutingConfirmation.confirmed());
  }

  @Test
  void theStrategysPolicyOverridesTheRoutersDefault() {
    router.close();
    router = GatewayApiTrafficRouter.builder(sim.client()).confirmation(ConfirmationPolicy.OFF).build();

    assertThat(applyAndSettle(spec(ConfirmationPolicy.REQUIRE), during(20)).state()).isEqualTo(State.PENDING);
    assertThat(router.confirmation(AppAGatewayApiScenarioTest.SPEC, during(20))).isEqualTo(RoutingConfirmation.confirmed());
  }

  @Test
  void theReleaseIsConfirmedOnceTheImplementationTookUpTheRouteAsTheUserHadIt() {
    CanarySpec spec = spec(ConfirmationPolicy.REQUIRE);
    applyAndSettle(spec, during(40));
    sim.advance(STATUS_DELAY);

    assertThat(applyAndSettle(spec, States.released()).state()).as("all traffic on stable: a new generation").isEqualTo(State.PENDING);
    sim.advance(STATUS_DELAY);
    assertThat(router.confirmation(spec, States.released())).isEqualTo(RoutingConfirmation.confirmed());
  }
}
