package io.canary.examples.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutStatus;
import io.canary.core.Step;
import io.canary.core.TrafficStrategy;
import io.canary.core.VirtualServiceRef;
import io.canary.core.WorkloadRef;
import io.canary.hpa.HpaAwareWorkloads;
import io.canary.istio.IstioTrafficRouter;
import io.canary.kubernetes.ConfigMapStateStore;
import io.canary.kubernetes.KubernetesWorkloads;
import io.canary.kubernetes.LeaseRolloutLock;
import io.canary.testing.RolloutHistory;
import io.canary.testing.SimulatedCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void rolloutsDemoEndToEnd() {
    try (SimulatedCluster sim = SimulatedCluster.builder().podStartupDelay(Duration.ofSeconds(10)).build()) {
      sim.loadScenario("rollouts-demo-subsets");
      sim.traffic().flow("browsers").throughGateway("istio-system/rollouts-demo-gateway")
          .to("istio-argo-rollouts", "rollouts-demo.example.com").rate(25);
      CanarySpec spec = CanarySpec.builder()
          .name("rollouts-demo").namespace("istio-argo-rollouts")
          .target(WorkloadRef.deployment("rollouts-demo-deployment"))
          .revision(NewRevision.image("rollouts-demo", "argoproj/rollouts-demo:red"))
          .traffic(TrafficStrategy.subsets("rollouts-demo-svc", "rollout-destrule", VirtualServiceRef.of("rollouts-demo-vs2", "route-one")))
          .addSteps(Step.setWeight(20), Step.pause(), Step.setWeight(40), Step.pause(Duration.ofSeconds(10)),
              Step.setWeight(60), Step.pause(Duration.ofSeconds(10)), Step.setWeight(80), Step.pause(Duration.ofSeconds(10)))
          .build();
      RolloutHistory history = new RolloutHistory();
      KubernetesWorkloads k8s = KubernetesWorkloads.create(sim.client());
      CanaryRunner runner = CanaryRunner.builder()
          .trafficRouter(IstioTrafficRouter.create(sim.client()))
          .workloads(HpaAwareWorkloads.wrap(sim.client(), k8s))
          .stateStore(ConfigMapStateStore.create(sim.client(), "istio-argo-rollouts"))
          .lock(LeaseRolloutLock.create(sim.client(), sim.scheduler()))
          .scheduler(sim.scheduler())
          .addListener(history)
          .addListener(sim.timeline())
          .addListener(k8s.eventRecorder())
          .build();
      RolloutHandle h = runner.start(spec);
      RolloutStatus paused = h.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));
      System.out.println(h.describe());
      assertThat(paused.currentWeight()).isEqualTo(20);
      h.promote();
      RolloutStatus done = h.await(Duration.ofHours(1));
      System.out.println(h.describe());
      System.out.println(sim.timeline().renderText());
      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
      runner.close();
      k8s.close();
    }
  }
}
