package io.canary.examples.scenarios;

import static io.canary.examples.scenarios.InCluster.bounds;
import static io.canary.examples.scenarios.InCluster.deployment;
import static io.canary.examples.scenarios.InCluster.hpa;
import static io.canary.examples.scenarios.InCluster.image;
import static io.canary.examples.scenarios.ScenarioSpecs.DEMO_CANARY;
import static io.canary.examples.scenarios.ScenarioSpecs.DEMO_CANARY_HPA;
import static io.canary.examples.scenarios.ScenarioSpecs.DEMO_DEPLOYMENT;
import static io.canary.examples.scenarios.ScenarioSpecs.DEMO_DR;
import static io.canary.examples.scenarios.ScenarioSpecs.DEMO_HPA;
import static io.canary.examples.scenarios.ScenarioSpecs.DEMO_NS;
import static io.canary.examples.scenarios.ScenarioSpecs.DEMO_VS;
import static io.canary.testing.CanaryAssertions.assertThatVirtualService;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.testing.SimulatedCluster;
import io.fabric8.istio.api.networking.v1.DestinationRule;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;

/**
 * How seed rollouts-demo-subsets must look once a rollout has ended: the routing objects as the user
 * wrote them with all traffic on stable, no canary Deployment or autoscaler, the user's autoscaler
 * bounds, and the stable Deployment on {@code stableImage}.
 */
final class RolloutsDemoOutcome {
  final VirtualService seedVs;
  final DestinationRule seedDr;

  private RolloutsDemoOutcome(VirtualService seedVs, DestinationRule seedDr) {
    this.seedVs = seedVs;
    this.seedDr = seedDr;
  }

  /** Remembers the seed's routing objects, before anything is written. */
  static RolloutsDemoOutcome seedOf(SimulatedCluster sim) {
    return new RolloutsDemoOutcome(sim.virtualService(DEMO_NS, DEMO_VS).orElseThrow(),
        sim.destinationRule(DEMO_NS, DEMO_DR).orElseThrow());
  }

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
