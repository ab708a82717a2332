package io.canary.examples.scenarios;

import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Step;
import io.canary.core.SubsetStrategy;
import io.canary.core.TrafficStrategy;
import io.canary.core.VirtualServiceRef;
import io.canary.core.WorkloadRef;
import java.time.Duration;

/** The plans of {@code scenarios/<name>/plan.md} as specs. */
final class ScenarioSpecs {
  static final String DEMO_NS = "istio-argo-rollouts";
  static final String DEMO_DEPLOYMENT = "rollouts-demo-deployment";
  static final String DEMO_CANARY = "rollouts-demo-deployment-canary";
  static final String DEMO_HPA = "hpa-rollout-example";
  static final String DEMO_CANARY_HPA = "hpa-rollout-example-canary";
  static final String DEMO_VS = "rollouts-demo-vs2";
  static final String DEMO_DR = "rollout-destrule";
  static final String BLUE = "argoproj/rollouts-demo:blue";
  static final String RED = "argoproj/rollouts-demo:red";

  private ScenarioSpecs() {}

  /** rollouts-demo-subsets: blue to red, 20 / pause / 40 / 10s / 60 / 10s / 80 / 10s, then promotion. */
  static CanarySpec rolloutsDemo() {
    return CanarySpec.builder()
        .name("rollouts-demo").namespace(DEMO_NS)
        .target(WorkloadRef.deployment(DEMO_DEPLOYMENT))
        .revision(NewRevision.image("rollouts-demo", RED))
        .traffic(TrafficStrategy.subsets("rollouts-demo-svc", DEMO_DR, VirtualServiceRef.of(DEMO_VS, "route-one")))
        .addSteps(Step.setWeight(20), Step.pause(),
            Step.setWeight(40), Step.pause(Duration.ofSeconds(10)),
            Step.setWeight(60), Step.pause(Duration.ofSeconds(10)),
            Step.setWeight(80), Step.pause(Duration.ofSeconds(10)))
        .build();
  }

  /** appA-services: 20 / 1m / 40 / 1m / 60 / 1m / 80 / 1m, promotion with maxSurge 3, maxUnavailable 0. */
  static CanarySpec appA() {
    return CanarySpec.builder()
        .name("appa").namespace("nsa")
        .target(WorkloadRef.deployment("appa"))
        .revision(NewRevision.image("appa", "example/appa:1.1.0"))
        .traffic(TrafficStrategy.services("appa-stable-service", "appa-canary-service",
            VirtualServiceRef.of("virtual-service-appa", "appa-http-route")))
        .addSteps(Step.setWeight(20), Step.pause(Duration.ofMinutes(1)),
            Step.setWeight(40), Step.pause(Duration.ofMinutes(1)),
            Step.setWeight(60), Step.pause(Duration.ofMinutes(1)),
            Step.setWeight(80), Step.pause(Duration.ofMinutes(1)))
        .maxSurge("3").maxUnavailable("0")
        .build();
  }

  /** imesh-services: set image nginx=nginx:1.15.5, 50 then pause 1h, then promotion. */
  static CanarySpec imesh() {
    return CanarySpec.builder()
        .name("imesh-rollout").namespace("deb-ns")
        .target(WorkloadRef.deployment("imesh-rollout"))
        .revision(NewRevision.image("nginx", "nginx:1.15.5"))
        .traffic(TrafficStrategy.services("stable-svc", "canary-svc", VirtualServiceRef.of("imesh-vsvc", "primary")))
        .addSteps(Step.setWeight(50), Step.pause(Duration.ofHours(1)))
        .build();
  }

  /** helloworld-versions: the user's v2 Deployment takes the traffic from v1 through {@code steps}, then all of it. */
  static CanarySpec helloworld(Step... steps) {
    return CanarySpec.builder()
        .name("helloworld").namespace("default")
        .target(WorkloadRef.deployment("helloworld-v1"))
        .revision(NewRevision.existingWorkload("helloworld-v2"))
        .traffic(SubsetStrategy.builder().service("helloworld").destinationRule("helloworld")
            .stableSubset("v1").canarySubset("v2")
            .addVirtualServices(VirtualServiceRef.builder().name("helloworld").build()).build())
        .addSteps(steps)
        .build();
  }
}
