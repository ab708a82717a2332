package io.canary.core;

import io.canary.core.memory.InMemoryStrategy;
import java.time.Duration;

/**
 * The seed plans of scenarios/ as specs: the shapes users write, over in-memory routes (canary-istio
 * runs the same plans over the scenarios' VirtualServices).
 */
final class Scenarios {
  static final String COMPANY_COOKIE = "^(.*?;)?(email=[^;]*@some-company-name.com)(;.*)?$";

  private Scenarios() {}

  /** rollouts-demo-subsets: subset strategy, 20 / pause / 40 / 60 / 80 with 10s pauses. */
  static CanarySpec rolloutsDemo() {
    return CanarySpec.builder()
        .name("rollouts-demo")
        .namespace("istio-argo-rollouts")
        .target(WorkloadRef.deployment("rollouts-demo-deployment"))
        .revision(NewRevision.image("rollouts-demo", "argoproj/rollouts-demo:red"))
        .traffic(InMemoryStrategy.of("route-one"))
        .addSteps(Step.setWeight(20), Step.pause(), Step.setWeight(40), Step.pause(Duration.ofSeconds(10)),
            Step.setWeight(60), Step.pause(Duration.ofSeconds(10)), Step.setWeight(80), Step.pause(Duration.ofSeconds(10)))
        .build();
  }

  /** appA-services: service strategy, four steps of 20 with one-minute pauses, maxSurge 3 / maxUnavailable 0. */
  static CanarySpec appA() {
    return CanarySpec.builder()
        .name("appa")
        .namespace("nsa")
        .target(WorkloadRef.deployment("appa"))
        .revision(NewRevision.image("appa", "example/appa:1.1.0"))
        .traffic(InMemoryStrategy.of("appa-http-route"))
        .addSteps(Step.setWeight(20), Step.pause(Duration.ofMinutes(1)), Step.setWeight(40), Step.pause(Duration.ofMinutes(1)),
            Step.setWeight(60), Step.pause(Duration.ofMinutes(1)), Step.setWeight(80), Step.pause(Duration.ofMinutes(1)))
        .maxSurge("3")
        .maxUnavailable("0")
        .build();
  }

  /** imesh-services: set image, 50% for an hour, then promotion. */
  static CanarySpec imesh() {
    return CanarySpec.builder()
        .name("imesh-rollout")
        .namespace("deb-ns")
        .target(WorkloadRef.deployment("imesh-rollout"))
        .revision(NewRevision.image("nginx", "nginx:1.15.5"))
        .traffic(InMemoryStrategy.of("primary"))
        .addSteps(Step.setWeight(50), Step.pause(Duration.ofHours(1)))
        .build();
  }

  /** helloworld-versions: two user Deployments, focused canary for company users, 90/10, 50/50, 0/100. */
  static CanarySpec helloworld() {
    return CanarySpec.builder()
        .name("helloworld")
        .namespace("default")
        .target(WorkloadRef.deployment("helloworld-v1"))
        .revision(NewRevision.existingWorkload("helloworld-v2"))
        .traffic(InMemoryStrategy.of("helloworld"))
        .addSteps(
            Step.setHeaderRoute("company-users", 50, RouteMatch.header("cookie", StringMatch.regex(COMPANY_COOKIE))),
            Step.pause(),
            Step.setWeight(10), Step.pause(),
            Step.setWeight(50), Step.pause())
        .build();
  }
}
