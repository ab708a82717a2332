package io.canary.examples.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanarySpec;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.event.RolloutEvent;
import io.canary.core.event.RoutesChanged;
import io.canary.core.event.WeightChanged;
import io.canary.core.spi.TrafficRouter;
import io.canary.gatewayapi.GatewayApiTrafficRouter;
import io.canary.istio.IstioTrafficRouter;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.canary.examples.ScenarioPlans;
import io.canary.testing.CanarySimulation;
import io.canary.testing.SimulatedCluster;
import io.canary.testing.UserGroup;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * No request reaches the canary before its first weight (or its first header route), in every seed
 * scenario: the stable side is pinned to the stable revision before the canary has a pod, although
 * the canary comes up with pods (its autoscaler's minimum) while the stable subset or Service still
 * selects by the app's labels only.
 */
class NoCanaryTrafficBeforeItsWeightTest {
  @Test
  @CanarySimulation(scenario = "rollouts-demo-subsets", podStartupSeconds = 10)
  void rolloutsDemoSubsets(SimulatedCluster sim) {
    RolloutsDemoSeed.runningWithBrowsers(sim);
    assertNoCanaryRequestsBeforeTheFirstRoutingChange(sim, RolloutsDemoObjects.DEMO_NS,
        ScenarioPlans.rolloutsDemo(RolloutsDemoObjects.RED), RolloutsDemoObjects.RED);
  }

  @Test
  @CanarySimulation(scenario = "appA-services")
  void appAServices(SimulatedCluster sim) {
    InCluster.untilAvailable(sim, "nsa", "appa");
    sim.traffic().flow("mesh").to("nsa", "appa.nsa.svc.cluster.local").rate(20);
    assertNoCanaryRequestsBeforeTheFirstRoutingChange(sim, "nsa", ScenarioPlans.appA(), "example/appa:1.1.0");
  }

  @Test
  @CanarySimulation(scenario = "imesh-services")
  void imeshServices(SimulatedCluster sim) {
    InCluster.untilAvailable(sim, "deb-ns", "imesh-rollout");
    sim.traffic().flow("visitors").throughGateway("deb-ns/imesh-gateway").to("deb-ns", "imesh.example.com").rate(10);
    assertNoCanaryRequestsBeforeTheFirstRoutingChange(sim, "deb-ns", ScenarioPlans.imesh(), "nginx:1.15.5");
  }

  @Test
  @CanarySimulation(scenario = "helloworld-versions")
  void helloworldVersions(SimulatedCluster sim) {
    sim.traffic().flow("company").to("default", "helloworld").rate(20)
        .users(UserGroup.withCookie("company", 1.0, "email", "jane@some-company-name.com"));
    sim.traffic().flow("others").to("default", "helloworld").rate(80);
    assertNoCanaryRequestsBeforeTheFirstRoutingChange(sim, "default", ScenarioPlans.helloworld(), "helloworld-v2",
        client -> IstioTrafficRouter.builder(client).addMissingCanaryDestinations(true).build());
  }

  @Test
  @CanarySimulation(scenario = "appA-gateway-api")
  void appAGatewayApi(SimulatedCluster sim) {
    InCluster.untilAvailable(sim, "nsa", "appa");
    sim.traffic().flow("ingress").throughGateway("nsa/public").to("nsa", "appa.domain.com").rate(50);
    sim.traffic().flow("mesh").to("nsa", "appa").rate(20);
    assertNoCanaryRequestsBeforeTheFirstRoutingChange(sim, "nsa", ScenarioPlans.appAGatewayApi("example/appa:1.1.0"),
        "example/appa:1.1.0", GatewayApiTrafficRouter::create);
  }

  private static void assertNoCanaryRequestsBeforeTheFirstRoutingChange(SimulatedCluster sim, String namespace,
      CanarySpec spec, String canaryImage) {
    assertNoCanaryRequestsBeforeTheFirstRoutingChange(sim, namespace, spec, canaryImage, IstioTrafficRouter::create);
  }

  private static void assertNoCanaryRequestsBeforeTheFirstRoutingChange(SimulatedCluster sim, String namespace,
      CanarySpec spec, String canaryImage, Function<KubernetesClient, TrafficRouter> routers) {
    Instant start = sim.scheduler().now();
    TrafficRouter router = routers.apply(sim.client());
    try (RunnerOnSimulation canary = RunnerOnSimulation.on(sim, sim.client(), namespace, client -> router)) {
      RolloutHandle rollout = canary.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED || s.phase().isTerminal(), Duration.ofMinutes(10));
      Instant firstChange = canary.history.events().stream()
          .filter(e -> e instanceof WeightChanged || e instanceof RoutesChanged)
          .map(RolloutEvent::time).findFirst().orElseThrow();
      assertThat(firstChange).as("the canary's pods were up well before its first weight").isAfter(start);
      assertThat(sim.traffic().sampleByImage(canaryImage, start, firstChange).requests())
          .as("requests served by %s before its first routing change at %s", canaryImage, firstChange).isZero();
      sim.advance(Duration.ofSeconds(20));
      assertThat(sim.traffic().sampleByImage(canaryImage, firstChange, sim.scheduler().now()).requests())
          .as("and it does get traffic once routed to").isPositive();
    } finally {
      if (router instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }
}
