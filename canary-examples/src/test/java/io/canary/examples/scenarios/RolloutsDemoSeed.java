package io.canary.examples.scenarios;

import static io.canary.examples.scenarios.InCluster.bounds;
import static io.canary.examples.scenarios.InCluster.deployment;
import static io.canary.examples.scenarios.InCluster.hpa;
import static io.canary.examples.scenarios.InCluster.image;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_CANARY;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_CANARY_HPA;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_DEPLOYMENT;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_DR;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_HPA;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_NS;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_VS;
import static io.canary.testing.CanaryAssertions.assertThatVirtualService;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.testing.SimulatedCluster;
import io.fabric8.istio.api.networking.v1.DestinationRule;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;

/**
 * Seed rollouts-demo-subsets running with browser load through its gateway, and how it must look
 * once a rollout has ended.
 */
final class RolloutsDemoSeed {
  static final String BROWSERS = "browsers";

  final VirtualService seedVs;
  final DestinationRule seedDr;

  private RolloutsDemoSeed(VirtualService seedVs, DestinationRule seedDr) {
    this.seedVs = seedVs;
    this.seedDr = seedDr;
  }

  /**
   * Lets the seed's pods become available, sends 25 browser requests a second through the gateway
   * (enough for the autoscalers to grow each revision) and remembers the routing objects as the user
   * wrote them, before anything else is written.
   */
  static RolloutsDemoSeed runningWithBrowsers(SimulatedCluster sim) {
    InCluster.untilAvailable(sim, DEMO_NS, DEMO_DEPLOYMENT);
    sim.traffic().flow(BROWSERS).throughGateway("istio-system/rollouts-demo-gateway")
        .to(DEMO_NS, "rollouts-demo.example.com").rate(25);
    return new RolloutsDemoSeed(sim.virtualService(DEMO_NS, DEMO_VS).orElseThrow(),
        sim.destinationRule(DEMO_NS, DEMO_DR).orElseThrow());
  }

  /**
   * The routing objects as the user wrote them with all traffic on stable, no canary Deployment or
   * autoscaler, the user's autoscaler bounds, and the stable Deployment on {@code stableImage}.
   */
  void assertEndedWithStableOn(SimulatedCluster sim, String stableImage) {
    assertThatVirtualService(sim, DEMO_NS, DEMO_VS).hasRouteWeights("route-one", 100, 0)
        .hasSameUnownedFieldsAs(seedVs);
    assertThat(sim.destinationRule(DEMO_NS, DEMO_DR).orElseThrow().getSpec())
        .as("the DestinationRule as the user wrote it").isEqualTo(seedDr.getSpec());
    assertThat(image(deployment(sim, DEMO_NS, DEMO_DEPLOYMENT))).isEqualTo(stableImage);
    assertThat(deployment(sim, DEMO_NS, DEMO_CANARY)).as("canary Deployment at the end").isNull();
    assertThat(hpa(sim, DEMO_NS, DEMO_CANARY_HPA)).as("canary HPA at the end").isNull();
    HorizontalPodAutoscaler userHpa = hpa(sim, DEMO_NS, DEMO_HPA);
    assertThat(bounds(userHpa)).as("the user's HPA bounds").isEqualTo("2..6");
    assertThat(userHpa.getMetadata().getAnnotations()).doesNotContainKey("canary.io/original-bounds");
  }
}
