package io.canary.examples.scenarios;

import static io.canary.examples.scenarios.InCluster.deployment;
import static io.canary.examples.scenarios.InCluster.image;
import static io.canary.examples.scenarios.InCluster.selector;
import static io.canary.testing.CanaryAssertions.assertThatVirtualService;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.PauseReason;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutStatus;
import io.canary.examples.ScenarioPlans;
import io.canary.testing.CanaryAssertions;
import io.canary.testing.CanarySimulation;
import io.canary.testing.SimulatedCluster;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Seed imesh-services: nginx 1.15.4 to 1.15.5, half the traffic for an hour, then promotion or a roll back. */
@CanarySimulation(scenario = "imesh-services")
class ImeshServicesTest {
  private static final String NS = "deb-ns";
  private static final String VS = "imesh-vsvc";
  private static final String NEW_IMAGE = "nginx:1.15.5";

  @Test
  void whilePausedTheStatusShowsHalfTheTrafficOnOneCanaryPodThenPromotesAfterTheHour(SimulatedCluster sim) {
    InCluster.untilAvailable(sim, NS, "imesh-rollout");
    sim.traffic().flow("visitors").throughGateway(NS + "/imesh-gateway").to(NS, "imesh.example.com").rate(10);
    try (RunnerOnSimulation canary = RunnerOnSimulation.on(sim, NS)) {
      RolloutHandle rollout = canary.start(ScenarioPlans.imesh());
      RolloutStatus paused = rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));
      Instant pausedAt = sim.scheduler().now();

      assertThat(paused.pauseReason()).contains(PauseReason.CanaryPauseStep);
      String described = rollout.describe();
      assertThat(described)
          .containsPattern("Status:\\s+॥ Paused\\R")
          .containsPattern("Message:\\s+CanaryPauseStep\\R")
          .containsPattern("Step:\\s+2/2\\R")
          .containsPattern("SetWeight:\\s+50\\R")
          .containsPattern("ActualWeight:\\s+50\\R")
          .containsPattern("Desired:\\s+2\\R")
          .containsPattern("Current:\\s+3\\R")
          .containsPattern("Updated:\\s+1\\R")
          .containsPattern("Ready:\\s+3\\R")
          .containsPattern("Available:\\s+3\\R");
      String canaryHash = paused.canaryRevision().orElseThrow().hash();
      String stableHash = paused.stableRevision().orElseThrow().hash();
      assertThat(described).containsPattern("# revision " + canaryHash + "\\s+canary")
          .containsPattern("# revision " + stableHash + "\\s+stable");
      assertThat(podLines(described, "imesh-rollout-canary-")).as("canary pods in the tree\n" + described)
          .isEqualTo(1);
      assertThat(podLines(described, "imesh-rollout-")).as("all pods in the tree\n" + described).isEqualTo(3);
      assertThatVirtualService(sim, NS, VS).hasRouteWeights("primary", 50, 50);

      RolloutStatus done = rollout.await(Duration.ofHours(2));

      CanaryAssertions.assertThat(done).hasPhase(Phase.SUCCEEDED);
      assertThat(Duration.between(pausedAt, sim.scheduler().now())).isGreaterThanOrEqualTo(Duration.ofHours(1));
      assertThat(image(deployment(sim, NS, "imesh-rollout"))).isEqualTo(NEW_IMAGE);
      assertThat(deployment(sim, NS, "imesh-rollout-canary")).isNull();
      assertThatVirtualService(sim, NS, VS).hasRouteWeights("primary", 100, 0);
      assertThat(sim.traffic().sampleByImage(NEW_IMAGE, pausedAt, sim.scheduler().now()).requests()).isPositive();
    }
  }

  @Test
  void abortWhilePausedSendsAllTrafficToStableAndRemovesTheCanaryPods(SimulatedCluster sim) {
    InCluster.untilAvailable(sim, NS, "imesh-rollout");
    sim.traffic().flow("visitors").throughGateway(NS + "/imesh-gateway").to(NS, "imesh.example.com").rate(10);
    VirtualService seedVs = sim.virtualService(NS, VS).orElseThrow();
    Map<String, String> seedSelector = selector(sim, NS, "stable-svc");
    try (RunnerOnSimulation canary = RunnerOnSimulation.on(sim, NS)) {
      RolloutHandle rollout = canary.start(ScenarioPlans.imesh());
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));
      assertThat(canaryPods(sim)).hasSize(1);

      rollout.abort();
      RolloutStatus aborting = rollout.await(s -> s.abortReason().isPresent(), Duration.ofMinutes(1));
      Instant abortedAt = sim.scheduler().now();
      assertThat(aborting.currentWeight()).isZero();
      assertThatVirtualService(sim, NS, VS).hasRouteWeights("primary", 100, 0);

      RolloutStatus aborted = rollout.await(Duration.ofMinutes(5));
      Instant end = sim.scheduler().now();

      CanaryAssertions.assertThat(aborted).hasPhase(Phase.ABORTED);
      assertThat(canaryPods(sim)).as("canary pods after the abort delay").isEmpty();
      assertThat(deployment(sim, NS, "imesh-rollout-canary")).isNull();
      assertThat(image(deployment(sim, NS, "imesh-rollout"))).isEqualTo("nginx:1.15.4");
      assertThatVirtualService(sim, NS, VS).hasRouteWeights("primary", 100, 0).hasSameUnownedFieldsAs(seedVs);
      assertThat(selector(sim, NS, "stable-svc")).isEqualTo(seedSelector);
      assertThat(selector(sim, NS, "canary-svc")).isEqualTo(seedSelector);
      assertThat(sim.traffic().sampleByImage(NEW_IMAGE, abortedAt, end).requests()).isZero();
      assertThat(sim.traffic().flowStats("visitors", abortedAt, end).unavailable()).isZero();
    }
  }

  private static long podLines(String described, String podNamePrefix) {
    return described.lines().filter(l -> l.contains("□ " + podNamePrefix) && l.contains(" Pod ")).count();
  }

  private static List<Pod> canaryPods(SimulatedCluster sim) {
    return sim.client().pods().inNamespace(NS).list().getItems().stream()
        .filter(p -> p.getMetadata().getName().startsWith("imesh-rollout-canary-")).toList();
  }
}
