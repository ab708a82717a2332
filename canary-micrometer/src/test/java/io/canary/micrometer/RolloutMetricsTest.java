package io.canary.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.AnalysisSpec;
import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.Step;
import io.canary.core.WorkloadRef;
import io.canary.core.spi.AnalysisResult;
import io.canary.istio.IstioStrategy;
import io.canary.istio.IstioTrafficRouter;
import io.canary.istio.VirtualServiceRef;
import io.canary.kubernetes.ConfigMapStateStore;
import io.canary.kubernetes.KubernetesWorkloads;
import io.canary.kubernetes.KubernetesRunnerLeases;
import io.canary.testing.CanarySimulation;
import io.canary.testing.SimulatedCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The rollout meters after a rollout of seed imesh-services on the simulated cluster, with every real adapter. */
@CanarySimulation(scenario = "imesh-services")
class RolloutMetricsTest {
  private static final String NS = "deb-ns";

  @Test
  void afterARolloutTheMetersTellItsPhasesStepsVerdictsAndWeight(SimulatedCluster sim) {
    sim.advanceUntil("seed available", () -> {
      Deployment d = sim.client().apps().deployments().inNamespace(NS).withName("imesh-rollout").get();
      return d.getStatus() != null && d.getSpec().getReplicas().equals(d.getStatus().getAvailableReplicas());
    }, Duration.ofMinutes(5));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CanarySpec spec = CanarySpec.builder().name("imesh-rollout").namespace(NS)
        .target(WorkloadRef.deployment("imesh-rollout"))
        .revision(NewRevision.image("nginx", "nginx:1.15.5"))
        .traffic(IstioStrategy.services("stable-svc", "canary-svc", VirtualServiceRef.of("imesh-vsvc", "primary")))
        .addSteps(Step.setWeight(50), Step.pause(Duration.ofMinutes(2)),
            Step.analysis(AnalysisSpec.builder().name("smoke").gate(ctx -> AnalysisResult.pass("fine"))
                .interval(Duration.ofSeconds(30)).successfulRuns(2).build()))
        .build();

    try (KubernetesWorkloads workloads = KubernetesWorkloads.create(sim.client());
        CanaryRunner runner = CanaryRunner.builder().trafficRouter(IstioTrafficRouter.create(sim.client()))
            .workloads(workloads).stateStore(ConfigMapStateStore.create(sim.client(), NS))
            .leases(KubernetesRunnerLeases.create(sim.client(), NS, sim.scheduler())).scheduler(sim.scheduler())
            .addListener(RolloutMetrics.of(registry)).build()) {
      RolloutHandle rollout = runner.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));
      assertThat(registry.get("canary.rollout.weight").tags("namespace", NS, "name", "imesh-rollout").gauge().value())
          .isEqualTo(50);
      assertThat(registry.get("canary.rollouts").tag("phase", "Paused").gauge().value()).isEqualTo(1);

      assertThat(rollout.await(Duration.ofHours(1)).phase()).isEqualTo(Phase.SUCCEEDED);
    }

    assertThat(registry.get("canary.rollouts").tag("phase", "Succeeded").gauge().value()).isEqualTo(1);
    assertThat(registry.get("canary.rollouts").tag("phase", "Paused").gauge().value()).isZero();
    assertThat(registry.get("canary.rollout.weight").tags("namespace", NS, "name", "imesh-rollout").gauge().value()).isZero();
    assertThat(registry.get("canary.rollout.transitions").tags("from", "Progressing", "to", "Paused").counter().count()).isEqualTo(1);
    assertThat(registry.get("canary.rollout.transitions").tags("from", "Promoting", "to", "Succeeded").counter().count()).isEqualTo(1);
    assertThat(registry.get("canary.rollout.step.duration").tag("step", "pause").timer().totalTime(TimeUnit.SECONDS))
        .isGreaterThanOrEqualTo(120);
    assertThat(registry.get("canary.rollout.step.duration").tag("step", "setWeight").timer().count()).isEqualTo(1);
    assertThat(registry.get("canary.rollout.phase.duration").tag("phase", "Paused").timer().totalTime(TimeUnit.SECONDS))
        .isGreaterThanOrEqualTo(120);
    assertThat(registry.get("canary.analysis.verdicts").tags("analysis", "smoke", "verdict", "pass").counter().count())
        .isEqualTo(2);
  }
}
