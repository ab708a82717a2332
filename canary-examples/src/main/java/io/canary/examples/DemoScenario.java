package io.canary.examples;

import io.canary.core.CanarySpec;
import io.canary.core.spi.TrafficRouter;
import io.canary.gatewayapi.GatewayApiTrafficRouter;
import io.canary.istio.IstioTrafficRouter;
import io.canary.testing.TrafficSimulator;
import io.canary.testing.UserGroup;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A scenario the demo can run: its cluster YAML (scenarios/NAME), its plan, the router that drives
 * it, a good and a bad revision, and the traffic the simulated cluster sends.
 *
 * @param chartPrefix the timeline charts are {@code <chartPrefix>-good.html} and {@code -bad.html}
 */
record DemoScenario(String name, String namespace, String chartPrefix, String goodImage, String badImage,
    Function<String, CanarySpec> plan, Function<KubernetesClient, TrafficRouter> router, Consumer<TrafficSimulator> traffic,
    String description) {

  static final DemoScenario ROLLOUTS_DEMO = new DemoScenario("rollouts-demo-subsets", "istio-argo-rollouts", "rollouts-demo",
      "argoproj/rollouts-demo:red", "argoproj/rollouts-demo:bad-red", ScenarioPlans::rolloutsDemo, IstioTrafficRouter::create,
      traffic -> traffic.flow("browsers").throughGateway("istio-system/rollouts-demo-gateway")
          .to("istio-argo-rollouts", "rollouts-demo.example.com").rate(25),
      "rollouts-demo on a simulated cluster (fabric8's in-process API server,\n"
          + "simulated Deployment and HPA controllers and 25 requests/s of traffic through the gateway).\n"
          + "The real Istio router and Kubernetes/HPA adapters drive it; time is virtual.");

  static final DemoScenario APPA_GATEWAY_API = new DemoScenario("appA-gateway-api", "nsa", "appA-gateway-api",
      "example/appa:1.1.0", "example/appa:1.1.0-bad", ScenarioPlans::appAGatewayApi, GatewayApiTrafficRouter::create,
      traffic -> {
        traffic.flow("ingress").throughGateway("nsa/public").to("nsa", "appa.domain.com").rate(25)
            .users(UserGroup.withHeader("testers", 0.1, "x-canary", "always"));
        traffic.flow("mesh").to("nsa", "appa").rate(10);
      },
      "appA over the Gateway API on a simulated cluster (an HTTPRoute attached to the ingress Gateway\n"
          + "and to the appa Service, a simulated Gateway API implementation writing route status, 25 requests/s\n"
          + "through the Gateway, 10% of them testers with x-canary: always, 10 requests/s in the mesh).\n"
          + "The real Gateway API router and Kubernetes/HPA adapters drive it; time is virtual.");

  static List<DemoScenario> all() {
    return List.of(ROLLOUTS_DEMO, APPA_GATEWAY_API);
  }

  static DemoScenario named(String name) {
    return all().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
        "--scenario: no demo for '" + name + "'; the demos are " + all().stream().map(DemoScenario::name).toList()));
  }
}
