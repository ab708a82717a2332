package io.canary.examples.scenarios;

import static io.canary.examples.scenarios.InCluster.deployment;
import static io.canary.examples.scenarios.InCluster.image;
import static io.canary.examples.scenarios.RolloutsDemoObjects.BLUE;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_DEPLOYMENT;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_NS;
import static io.canary.examples.scenarios.RolloutsDemoObjects.RED;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.examples.ScenarioPlans;
import io.canary.kubernetes.PodTemplate;
import io.canary.testing.SimulatedCluster;
import io.canary.testing.CanarySimulation;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** undo() after a promotion releases, through the same steps, the template the stable ran before. */
@CanarySimulation(scenario = "rollouts-demo-subsets", podStartupSeconds = 10)
class UndoTest {
  @Test
  void undoReleasesBlueAgainAfterRedWasPromoted(SimulatedCluster sim) throws Exception {
    RolloutsDemoSeed seed = RolloutsDemoSeed.runningWithBrowsers(sim);
    try (RunnerOnSimulation canary = RunnerOnSimulation.on(sim, DEMO_NS)) {
      RolloutHandle red = canary.start(ScenarioPlans.rolloutsDemo(RED));
      red.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));
      red.promoteFully();
      assertThat(red.await(Duration.ofHours(1)).phase()).isEqualTo(Phase.SUCCEEDED);
      seed.assertEndedWithStableOn(sim, RED);

      var undo = red.undo();
      sim.scheduler().runDue();
      RolloutHandle blue = undo.get(5, TimeUnit.SECONDS);
      assertThat(blue.spec().revision().podTemplate()).hasValueSatisfying(t -> {
        assertThat(t).isInstanceOf(PodTemplate.class);
        assertThat(((PodTemplate) t).template().getSpec().getContainers().get(0).getImage()).isEqualTo(BLUE);
        assertThat(((PodTemplate) t).template().getMetadata().getLabels()).doesNotContainKeys("pod-template-hash",
            "canary.io/revision");
      });
      assertThat(blue.spec().steps()).isEqualTo(red.spec().steps());
      blue.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));
      assertThat(blue.status().currentWeight()).as("undo goes through the steps like any release").isEqualTo(20);
      blue.promoteFully();
      assertThat(blue.await(Duration.ofHours(1)).phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(image(deployment(sim, DEMO_NS, DEMO_DEPLOYMENT))).isEqualTo(BLUE);
    }
  }
}
