package io.canary.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.Step;
import io.canary.core.WorkloadRef;
import io.canary.hpa.HpaAwareWorkloads;
import io.canary.istio.IstioStrategy;
import io.canary.istio.IstioTrafficRouter;
import io.canary.istio.VirtualServiceRef;
import io.canary.kubernetes.ConfigMapStateStore;
import io.canary.kubernetes.ConfigMapTargetClaims;
import io.canary.kubernetes.KubernetesRunnerLeases;
import io.canary.kubernetes.KubernetesWorkloads;
import io.canary.testing.ObservedRequest;
import io.canary.testing.SimulatedCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Virtual time costs no API requests: a rollout paused for an hour on the simulated cluster, with the
 * real adapters, its status in a ConfigMap, its target claimed in a ConfigMap and the runner's lease in
 * the cluster, sends nothing while it waits; the requests it sends when the pause ends are the step's
 * own, with the lease renewed once.
 */
class IdleVirtualTimeTest {
  private static final String NS = "istio-argo-rollouts";

  private static CanarySpec spec() {
    return CanarySpec.builder()
        .name("rollouts-demo").namespace(NS)
        .target(WorkloadRef.deployment("rollouts-demo-deployment"))
        .revision(NewRevision.image("rollouts-demo", "argoproj/rollouts-demo:red"))
        .traffic(IstioStrategy.subsets("rollouts-demo-svc", "rollout-destrule",
            VirtualServiceRef.of("rollouts-demo-vs2", "route-one")))
        .addSteps(Step.setWeight(20), Step.pause(Duration.ofHours(1)), Step.setWeight(50), Step.pause(Duration.ofHours(1)))
        .build();
  }

  private static List<ObservedRequest> byRunner(SimulatedCluster sim, Instant from, Instant to) {
    return sim.requests().stream().filter(r -> !r.bySimulator() && !r.at().isBefore(from) && r.at().isBefore(to)).toList();
  }

  @Test
  void anHourOfPauseSendsNoRequestAndItsEndOnlyTheStepsOwn() {
    try (SimulatedCluster sim = SimulatedCluster.builder().podStartupDelay(Duration.ofSeconds(10)).build()) {
      sim.loadScenario("rollouts-demo-subsets");
      try (KubernetesWorkloads k8s = KubernetesWorkloads.create(sim.client());
          HpaAwareWorkloads workloads = HpaAwareWorkloads.wrap(sim.client(), k8s);
          CanaryRunner runner = CanaryRunner.builder()
              .trafficRouter(IstioTrafficRouter.create(sim.client()))
              .workloads(workloads)
              .stateStore(ConfigMapStateStore.create(sim.client(), NS))
              .claims(ConfigMapTargetClaims.create(sim.client(), NS))
              .leases(KubernetesRunnerLeases.create(sim.client(), NS, sim.scheduler()))
              .scheduler(sim.scheduler())
              .build()) {
        RolloutHandle rollout = runner.start(spec());
        rollout.await(s -> s.phase() == Phase.PAUSED && s.currentWeight() == 20, Duration.ofMinutes(10));
        // From just after the instant the pause began (the step's own writes share that instant).
        Instant pausedAt = sim.scheduler().now().plusMillis(1);
        Instant pauseEnds = rollout.status().timers().pauseUntil().orElseThrow();

        rollout.await(s -> s.currentWeight() == 50, Duration.ofHours(2));
        Instant weight50 = sim.scheduler().now();

        assertThat(byRunner(sim, pausedAt, pauseEnds)).as("the runner's requests during the hour's pause").isEmpty();
        List<ObservedRequest> step = byRunner(sim, pauseEnds, weight50.plusNanos(1));
        assertThat(step).as("the runner's requests when the pause ended").isNotEmpty()
            .allMatch(ObservedRequest::isWrite, "writes only, no read")
            .filteredOn(r -> r.path().contains("/leases/")).hasSize(1);
      }
    }
  }
}
