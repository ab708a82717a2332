package io.canary.examples.scenarios;

import static io.canary.examples.scenarios.InCluster.bounds;
import static io.canary.examples.scenarios.InCluster.deployment;
import static io.canary.examples.scenarios.InCluster.hpa;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_CANARY;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_CANARY_HPA;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_NS;
import static io.canary.examples.scenarios.RolloutsDemoObjects.RED;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanarySpec;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.Step;
import io.canary.examples.ScenarioPlans;
import io.canary.testing.CanaryAssertions;
import io.canary.testing.CanarySimulation;
import io.canary.testing.SimulatedCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * setCanaryScale on seed rollouts-demo-subsets, whose canary has its own autoscaler and browser load:
 * the canary runs exactly the fixed count while the weights move, and the user's bounds come back.
 */
@CanarySimulation(scenario = "rollouts-demo-subsets", podStartupSeconds = 10)
class SetCanaryScaleTest {
  @Test
  void aFixedCanaryScaleHoldsTheAutoscaledCanaryAtThatCountUnderLoadUntilTheEnd(SimulatedCluster sim) {
    RolloutsDemoSeed seed = RolloutsDemoSeed.runningWithBrowsers(sim);
    CanarySpec spec = CanarySpec.copyOf(ScenarioPlans.rolloutsDemo(RED)).withSteps(Step.setCanaryScaleReplicas(3),
        Step.setWeight(20), Step.pause(), Step.setWeight(60), Step.pause(Duration.ofMinutes(5)));

    try (RunnerOnSimulation canary = RunnerOnSimulation.on(sim, DEMO_NS)) {
      RolloutHandle rollout = canary.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED && s.currentWeight() == 20, Duration.ofMinutes(10));
      List<Integer> at20 = canaryReplicasEveryHalfMinute(sim, 10);
      assertThat(bounds(hpa(sim, DEMO_NS, DEMO_CANARY_HPA))).as("the canary autoscaler's bounds at 20%").isEqualTo("3..3");

      rollout.promote();
      rollout.await(s -> s.currentWeight() == 60, Duration.ofMinutes(10));
      List<Integer> at60 = canaryReplicasEveryHalfMinute(sim, 8);

      assertThat(at20).as("canary replicas and available pods over 5 minutes at 20%").containsOnly(3);
      assertThat(at60).as("canary replicas and available pods at 60%, which alone would ask for more").containsOnly(3);
      CanaryAssertions.assertThat(rollout.await(Duration.ofMinutes(30))).hasPhase(Phase.SUCCEEDED);
      assertThat(InCluster.writesTo(sim, "deployments", DEMO_CANARY)).as("replica writes to the canary Deployment")
          .filteredOn(w -> w.body().contains("/spec/replicas")).singleElement()
          .satisfies(w -> assertThat(w.body()).as("the one before its autoscaler existed, at its minimum").contains("\"value\":2"));
    }
    seed.assertEndedWithStableOn(sim, RED);
  }

  /** The canary's replica count and available pods, read {@code times} times, half a minute apart. */
  private static List<Integer> canaryReplicasEveryHalfMinute(SimulatedCluster sim, int times) {
    List<Integer> seen = new ArrayList<>();
    for (int i = 0; i < times; i++) {
      sim.advance(Duration.ofSeconds(30));
      Deployment d = deployment(sim, DEMO_NS, DEMO_CANARY);
      seen.add(d.getSpec().getReplicas());
      seen.add(d.getStatus() == null ? 0 : d.getStatus().getAvailableReplicas());
    }
    return seen;
  }
}
