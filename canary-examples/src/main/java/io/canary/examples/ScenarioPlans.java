package io.canary.examples;

import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.RouteMatch;
import io.canary.core.Step;
import io.canary.core.StringMatch;
import io.canary.gatewayapi.GatewayApiStrategy;
import io.canary.gatewayapi.RouteRef;
import io.canary.istio.SubsetStrategy;
import io.canary.istio.IstioStrategy;
import io.canary.istio.VirtualServiceRef;
import io.canary.core.WorkloadRef;
import java.time.Duration;
import java.util.List;

/** The plans of the reference scenarios (scenarios/NAME/plan.md), as specs. */
public final class ScenarioPlans {
  /** The cookie of seed helloworld-versions' focused canary: company users. */
  public static final String COMPANY_COOKIE = "^(.*?;)?(email=[^;]*@some-company-name.com)(;.*)?$";

  private ScenarioPlans() {}

  /** The scenario folders under scenarios/, with the namespace each one lives in. */
  public static List<String> names() {
    return List.of("rollouts-demo-subsets", "appA-services", "imesh-services", "helloworld-versions", "appA-gateway-api");
  }

  public static CanarySpec of(String scenario) {
    return switch (scenario) {
      case "rollouts-demo-subsets" -> rolloutsDemo("argoproj/rollouts-demo:red");
      case "appA-services" -> appA();
      case "imesh-services" -> imesh();
      case "helloworld-versions" -> helloworld();
      case "appA-gateway-api" -> appAGatewayApi("example/appa:1.1.0");
      default -> throw new IllegalArgumentException("no plan for scenario '" + scenario + "'; the plans are " + names());
    };
  }

  /** rollouts-demo-subsets: subset strategy, 20 / pause / 40 / 60 / 80 with 10-second pauses. */
  public static CanarySpec rolloutsDemo(String image) {
    return CanarySpec.builder()
        .name("rollouts-demo").namespace("istio-argo-rollouts")
        .target(WorkloadRef.deployment("rollouts-demo-deployment"))
        .revision(NewRevision.image("rollouts-demo", image))
        .traffic(IstioStrategy.subsets("rollouts-demo-svc", "rollout-destrule", VirtualServiceRef.of("rollouts-demo-vs2", "route-one")))
        .addSteps(Step.setWeight(20), Step.pause(), Step.setWeight(40), Step.pause(Duration.ofSeconds(10)),
            Step.setWeight(60), Step.pause(Duration.ofSeconds(10)), Step.setWeight(80), Step.pause(Duration.ofSeconds(10)))
        .build();
  }

  /** appA-services: service strategy, 20 / 40 / 60 / 80 with one-minute pauses, maxSurge 3, maxUnavailable 0. */
  public static CanarySpec appA() {
    return CanarySpec.builder()
        .name("appa").namespace("nsa")
        .target(WorkloadRef.deployment("appa"))
        .revision(NewRevision.image("appa", "example/appa:1.1.0"))
        .traffic(IstioStrategy.services("appa-stable-service", "appa-canary-service",
            VirtualServiceRef.of("virtual-service-appa", "appa-http-route")))
        .addSteps(Step.setWeight(20), Step.pause(Duration.ofMinutes(1)), Step.setWeight(40), Step.pause(Duration.ofMinutes(1)),
            Step.setWeight(60), Step.pause(Duration.ofMinutes(1)), Step.setWeight(80), Step.pause(Duration.ofMinutes(1)))
        .maxSurge("3").maxUnavailable("0")
        .build();
  }

  /** imesh-services: set image nginx:1.15.5, 50% for an hour, then promotion. */
  public static CanarySpec imesh() {
    return CanarySpec.builder()
        .name("imesh-rollout").namespace("deb-ns")
        .target(WorkloadRef.deployment("imesh-rollout"))
        .revision(NewRevision.image("nginx", "nginx:1.15.5"))
        .traffic(IstioStrategy.services("stable-svc", "canary-svc", VirtualServiceRef.of("imesh-vsvc", "primary")))
        .addSteps(Step.setWeight(50), Step.pause(Duration.ofHours(1)))
        .build();
  }

  /**
   * helloworld-versions: two user Deployments; company users split 50/50 first, everyone else on v1;
   * then 90/10, 50/50 and promotion (0/100). The route has only v1: run it with an
   * IstioTrafficRouter built with addMissingCanaryDestinations(true).
   */
  public static CanarySpec helloworld() {
    return CanarySpec.builder()
        .name("helloworld").namespace("default")
        .target(WorkloadRef.deployment("helloworld-v1"))
        .revision(NewRevision.existingWorkload("helloworld-v2"))
        .traffic(SubsetStrategy.builder().service("helloworld").destinationRule("helloworld")
            .stableSubset("v1").canarySubset("v2").addVirtualServices(VirtualServiceRef.of("helloworld")).build())
        .addSteps(Step.setHeaderRoute("company-users", 50, RouteMatch.header("cookie", StringMatch.regex(COMPANY_COOKIE))),
            Step.pause(), Step.setWeight(10), Step.pause(), Step.setWeight(50), Step.pause())
        .build();
  }

  /**
   * appA-gateway-api: appA again, the HTTPRoute's rule 'api' weighing the stable and canary Services;
   * 20 / header route x-canary: always / 40 / 10% mirror / 60 / 80, one-minute pauses; promotion.
   */
  public static CanarySpec appAGatewayApi(String image) {
    return CanarySpec.copyOf(appA())
        .withRevision(NewRevision.image("appa", image))
        .withTraffic(GatewayApiStrategy.services("appa-stable", "appa-canary", RouteRef.http("appa", "api")))
        .withSteps(Step.setWeight(20), Step.pause(Duration.ofMinutes(1)),
            Step.setHeaderRoute("canary-header", RouteMatch.header("x-canary", StringMatch.exact("always"))),
            Step.setWeight(40), Step.pause(Duration.ofMinutes(1)),
            Step.setMirrorRoute("canary-mirror", 10, RouteMatch.builder().uri(StringMatch.prefix("/")).build()),
            Step.setWeight(60), Step.pause(Duration.ofMinutes(1)), Step.setWeight(80), Step.pause(Duration.ofMinutes(1)));
  }
}
