package io.canary.examples.docs;

import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.Step;
import io.canary.istio.IstioStrategy;
import io.canary.istio.VirtualServiceRef;
import io.canary.core.WorkloadRef;
import io.canary.hpa.HpaAwareWorkloads;
import io.canary.istio.IstioTrafficRouter;
import io.canary.kubernetes.ConfigMapStateStore;
import io.canary.kubernetes.ConfigMapTargetClaims;
import io.canary.kubernetes.KubernetesEventRecorder;
import io.canary.kubernetes.KubernetesWorkloads;
import io.canary.kubernetes.KubernetesRunnerLeases;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;

/**
 * The code of README.md's "In code" section, kept here so that the build compiles it: when an API it
 * uses changes, this stops compiling and the README gets mended with it. It is not run (it needs a
 * real cluster and real time); the end-to-end tests run the same flow on the simulated cluster.
 */
final class ReadmeCode {
  private ReadmeCode() {}

  static void quickstart(KubernetesClient client) {
    CanarySpec spec = CanarySpec.builder()
        .name("rollouts-demo").namespace("istio-argo-rollouts")
        .target(WorkloadRef.deployment("rollouts-demo-deployment"))
        .revision(NewRevision.image("rollouts-demo", "argoproj/rollouts-demo:red"))
        .traffic(IstioStrategy.subsets("rollouts-demo-svc", "rollout-destrule",
            VirtualServiceRef.of("rollouts-demo-vs2", "route-one")))
        .addSteps(Step.setWeight(20), Step.pause(),
            Step.setWeight(40), Step.pause(Duration.ofSeconds(10)),
            Step.setWeight(60), Step.pause(Duration.ofSeconds(10)),
            Step.setWeight(80), Step.pause(Duration.ofSeconds(10)))
        .build();

    try (KubernetesWorkloads deployments = KubernetesWorkloads.create(client);
        HpaAwareWorkloads workloads = HpaAwareWorkloads.wrap(client, deployments);
        CanaryRunner runner = CanaryRunner.builder()
            .trafficRouter(IstioTrafficRouter.create(client))
            .workloads(workloads)
            .stateStore(ConfigMapStateStore.create(client, "istio-argo-rollouts"))
            .claims(ConfigMapTargetClaims.create(client, "istio-argo-rollouts"))
            .leases(KubernetesRunnerLeases.create(client, "istio-argo-rollouts"))
            .addListener(KubernetesEventRecorder.create(client))
            .build()) {
      System.out.println(runner.plan(spec));
      RolloutHandle rollout = runner.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      System.out.println(rollout.describe());
      rollout.promote();
      rollout.await(Duration.ofHours(1));
    }
  }
}
