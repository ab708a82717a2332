package io.canary.examples.scenarios;

import static io.canary.examples.scenarios.InCluster.bounds;
import static io.canary.examples.scenarios.InCluster.hpa;
import static io.canary.examples.scenarios.RolloutsDemoObjects.BLUE;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_DEPLOYMENT;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_HPA;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_NS;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_VS;
import static io.canary.examples.scenarios.RolloutsDemoObjects.RED;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canary.core.CanarySpec;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.ScalingOptions;
import io.canary.examples.ScenarioPlans;
import io.canary.istio.IstioTrafficRouter;
import io.canary.testing.CanaryAssertions;
import io.canary.testing.CanarySimulation;
import io.canary.testing.ObservedRequest;
import io.canary.testing.SimulatedCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Dynamic stable scale on seed rollouts-demo-subsets: the stable side shrinks through its autoscaler's
 * bounds only once the mesh carries the new weights and the delay has passed, and an abort gives the
 * bounds back before it sends the traffic back (Argo Rollouts #4347: stable scaled down too early).
 */
@CanarySimulation(scenario = "rollouts-demo-subsets", podStartupSeconds = 10)
class DynamicStableScaleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DELAY = Duration.ofSeconds(30);

  @Test
  void stableAutoscalerShrinksOnlyAfterTheWeightAndTheDelayAndAbortRestoresItBeforeTheTraffic(SimulatedCluster sim) {
    RolloutsDemoSeed seed = RolloutsDemoSeed.runningWithBrowsers(sim);
    shrinkStableAtTwentyPercentThenAbort(sim);

    List<ObservedRequest> writes = sim.writesUnderTest();
    int weight20 = firstIndex(writes, 0, w -> isVirtualServiceWrite(w) && canaryWeight(w) == 20);
    int shrink = firstIndex(writes, 0, w -> isStableHpaWrite(w) && maxReplicas(w).orElse(6) < 6);
    int restore = firstIndex(writes, shrink + 1, w -> isStableHpaWrite(w) && maxReplicas(w).orElse(0) == 6);
    int trafficBack = firstIndex(writes, weight20 + 1, w -> isVirtualServiceWrite(w) && canaryWeight(w) == 0);
    assertThat(weight20).as("the weight is written before the stable shrinks").isLessThan(shrink);
    assertThat(Duration.between(writes.get(weight20).at(), writes.get(shrink).at()))
        .as("time between the weight and the shrink").isGreaterThanOrEqualTo(DELAY);
    assertThat(restore).as("abort gives the stable bounds back before the traffic").isLessThan(trafficBack);
    seed.assertEndedWithStableOn(sim, BLUE);
  }

  @Test
  void theEventsTellTheStableShrinkAndItsScaleGivenBackInWordsAUserCanRead(SimulatedCluster sim) {
    RolloutsDemoSeed.runningWithBrowsers(sim);
    shrinkStableAtTwentyPercentThenAbort(sim);

    assertThat(InCluster.eventMessages(sim, DEMO_NS, "Deployment", DEMO_DEPLOYMENT))
        .as("what kubectl describe tells of the stable's scale")
        .anyMatch(m -> m.contains("Scaled stable to 5 replicas"))
        .noneMatch(m -> m.contains("-1 replicas"));
  }

  /** Runs the demo with dynamic stable scale to 20%, lets the stable shrink, then aborts. */
  private static void shrinkStableAtTwentyPercentThenAbort(SimulatedCluster sim) {
    CanarySpec spec = CanarySpec.copyOf(ScenarioPlans.rolloutsDemo(RED))
        .withScaling(ScalingOptions.builder().dynamicStableScale(true).stableScaleDownDelay(DELAY).build());
    try (RunnerOnSimulation canary = RunnerOnSimulation.on(sim, DEMO_NS)) {
      RolloutHandle rollout = canary.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED && s.currentWeight() == 20, Duration.ofMinutes(10));
      assertThat(bounds(hpa(sim, DEMO_NS, DEMO_HPA))).as("stable bounds as the weight moves").isEqualTo("2..6");
      sim.advance(DELAY.plusMinutes(1));
      assertThat(hpa(sim, DEMO_NS, DEMO_HPA).getSpec().getMaxReplicas()).as("stable maximum after the delay")
          .isLessThan(6);
      CanaryAssertions.assertThat(sim.timeline()).replicasOf(DEMO_DEPLOYMENT + ":blue").containsSubsequence(6, 5);

      rollout.abort();
      CanaryAssertions.assertThat(rollout.await(Duration.ofMinutes(10))).hasPhase(Phase.ABORTED);
    }
  }

  @Test
  void boundsShrunkByOneRunnerAreGivenBackByAnotherThatResumesAndAborts(SimulatedCluster sim) {
    RolloutsDemoSeed seed = RolloutsDemoSeed.runningWithBrowsers(sim);
    CanarySpec spec = CanarySpec.copyOf(ScenarioPlans.rolloutsDemo(RED))
        .withScaling(ScalingOptions.builder().dynamicStableScale(true).stableScaleDownDelay(DELAY).build());
    try (RunnerOnSimulation first = RunnerOnSimulation.on(sim, DEMO_NS)) {
      first.start(spec).await(s -> s.phase() == Phase.PAUSED && s.stableScaling().replicas().isPresent(), Duration.ofMinutes(10));
    }
    assertThat(hpa(sim, DEMO_NS, DEMO_HPA).getSpec().getMaxReplicas()).as("stable maximum left shrunk").isLessThan(6);

    try (RunnerOnSimulation second = RunnerOnSimulation.on(sim, sim.newClient(), DEMO_NS, IstioTrafficRouter::create)) {
      RolloutHandle resumed = second.start(spec);
      resumed.abort();
      CanaryAssertions.assertThat(resumed.await(Duration.ofMinutes(10))).hasPhase(Phase.ABORTED);
      seed.assertEndedWithStableOn(sim, BLUE);
    }
  }

  private static int firstIndex(List<ObservedRequest> writes, int from, Predicate<ObservedRequest> which) {
    for (int i = from; i < writes.size(); i++) {
      if (which.test(writes.get(i))) {
        return i;
      }
    }
    throw new AssertionError("no such write among " + writes.subList(from, writes.size()));
  }

  private static boolean isVirtualServiceWrite(ObservedRequest w) {
    return w.path().contains("/virtualservices/" + DEMO_VS);
  }

  private static boolean isStableHpaWrite(ObservedRequest w) {
    return w.path().contains("/horizontalpodautoscalers/" + DEMO_HPA);
  }

  /** The canary weight of route-one in a VirtualService write, -1 when it carries none. */
  private static int canaryWeight(ObservedRequest w) {
    for (JsonNode route : json(w).path("spec").path("http")) {
      if ("route-one".equals(route.path("name").asText())) {
        for (JsonNode destination : route.path("route")) {
          if ("canary".equals(destination.path("destination").path("subset").asText())) {
            return destination.path("weight").asInt(0);
          }
        }
      }
    }
    return -1;
  }

  /** The maxReplicas a JSON Patch or a whole-object write to an HPA sets. */
  private static OptionalInt maxReplicas(ObservedRequest w) {
    JsonNode body = json(w);
    if (body.isArray()) {
      for (JsonNode op : body) {
        if ("/spec/maxReplicas".equals(op.path("path").asText()) && op.has("value")) {
          return OptionalInt.of(op.path("value").asInt());
        }
      }
      return OptionalInt.empty();
    }
    JsonNode max = body.path("spec").path("maxReplicas");
    return max.isInt() ? OptionalInt.of(max.asInt()) : OptionalInt.empty();
  }

  private static JsonNode json(ObservedRequest w) {
    try {
      return w.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(w.body());
    } catch (IOException e) {
      throw new UncheckedIOException("write " + w + " has no JSON body", e);
    }
  }
}
