package io.canary.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.canary.core.CanarySpec;
import io.canary.core.CanaryValidationException;
import io.canary.core.NewRevision;
import io.canary.core.RouteMatch;
import io.canary.core.Step;
import io.canary.core.StringMatch;
import io.canary.istio.TlsRoute;
import io.canary.core.TrafficStrategy;
import io.canary.istio.IstioStrategy;
import io.canary.istio.VirtualServiceRef;
import io.canary.core.WorkloadRef;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One test per validation rule: validate() names the object, the route and what would be right, and
 * apply() refuses with the same problems before writing anything.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class ValidationTest {
  static final String APPA_VS = "VirtualService nsa/virtual-service-appa";
  static final String DEMO_NS = RolloutsDemoSubsetsTest.NS;

  KubernetesMockServer server;
  MockCluster cluster;

  static CanarySpec appA(VirtualServiceRef... virtualServices) {
    return CanarySpec.builder()
        .name("appa")
        .namespace("nsa")
        .target(WorkloadRef.deployment("appa"))
        .revision(NewRevision.image("appa", "example/appa:1.1.0"))
        .traffic(IstioStrategy.services("appa-stable-service", "appa-canary-service", virtualServices))
        .addSteps(Step.setWeight(20))
        .build();
  }

  private static CanarySpec demo(String destinationRule) {
    return CanarySpec.copyOf(RolloutsDemoSubsetsTest.SPEC).withTraffic(
        IstioStrategy.subsets("rollouts-demo-svc", destinationRule, VirtualServiceRef.of("rollouts-demo-vs2", "route-one")));
  }

  /** validate() reports exactly {@code expected}; apply() throws them all and nothing is written. */
  private void assertProblems(CanarySpec spec, String... expected) {
    IstioTrafficRouter router = IstioTrafficRouter.create(cluster.client());
    cluster.skipRequests();

    assertThat(router.validate(spec)).extracting(Object::toString).containsExactly(expected);
    CanaryValidationException refused = catchThrowableOfType(CanaryValidationException.class,
        () -> router.apply(spec, RoutingStates.during(20)));
    assertThat(refused.problems()).extracting(Object::toString).containsExactly(expected);
    assertThat(refused).hasMessageStartingWith("Routing of rollout " + spec.namespace() + "/" + spec.name() + " is invalid");

    assertThat(cluster.takeWrites()).isEmpty();
  }

  private void seed(String scenario) {
    cluster = new MockCluster(server).seedScenario(scenario);
  }

  @Test
  void aMissingVirtualServiceIsNamedWithTheVersionsLookedAt() {
    seed("appA-services");
    assertProblems(appA(VirtualServiceRef.of("virtual-service-appb", "appa-http-route")),
        "VirtualService nsa/virtual-service-appb: not found (looked at networking.istio.io/v1, networking.istio.io/v1beta1,"
            + " networking.istio.io/v1alpha3): create it, or name the one the rollout should drive");
  }

  @Test
  void aMissingDestinationRuleIsNamed() {
    seed("rollouts-demo-subsets");
    assertProblems(demo("rollouts-destrule"),
        "DestinationRule " + DEMO_NS + "/rollouts-destrule: not found (looked at networking.istio.io/v1, networking.istio.io/v1beta1,"
            + " networking.istio.io/v1alpha3): create it, or name the one the rollout should drive");
  }

  @Test
  void aMissingServiceIsNamed() {
    seed("appA-services");
    CanarySpec spec = CanarySpec.copyOf(appA(VirtualServiceRef.of("virtual-service-appa", "appa-http-route")))
        .withTraffic(IstioStrategy.services("appa-stable-service", "appa-preview-service",
            VirtualServiceRef.of("virtual-service-appa", "appa-http-route")));
    assertProblems(spec,
        APPA_VS + ": http route 'appa-http-route' has no canary destination host 'appa-preview-service': add"
            + " {destination: {host: appa-preview-service}, weight: 0} to its route, or let the router add it (IstioTrafficRouter.builder(client).addMissingCanaryDestinations(true))",
        "Service nsa/appa-preview-service: not found (looked at v1): create it, or name the one the rollout should drive");
  }

  @Test
  void aRouteNameNotFoundListsTheRoutesThatExist() {
    seed("appA-services");
    assertProblems(appA(VirtualServiceRef.of("virtual-service-appa", "appa-route")),
        APPA_VS + ": has no http route 'appa-route'; its http routes are ['appa-http-route']");
  }

  @Test
  void noRouteNamedNeedsExactlyOneHttpRoute() {
    seed("appA-services");
    cluster.editAsAnotherWriter("VirtualService", "nsa", "virtual-service-appa", vs -> Trees.editList(vs,
        http -> http.add(Map.of("route", List.of(Map.of("destination", Map.of("host", "appa-stable-service"))))), "spec", "http"));
    assertProblems(appA(VirtualServiceRef.builder().name("virtual-service-appa").build()),
        APPA_VS + ": the rollout names no route in it, so it needs exactly one http route, but it has 2 ['appa-http-route', (unnamed)]:"
            + " name the routes to drive in traffic.virtualServices");
  }

  @Test
  void destinationsThatDoNotMatchTheStrategyAreShownWithWhatTheStrategyExpects() {
    seed("imesh-services");
    CanarySpec subsetSpec = CanarySpec.copyOf(ServiceStrategyScenariosTest.IMESH)
        .withTraffic(IstioStrategy.subsets("stable-svc", "imesh-rule", VirtualServiceRef.of("imesh-vsvc", "primary")));
    cluster.seedYaml("""
        apiVersion: networking.istio.io/v1alpha3
        kind: DestinationRule
        metadata: {name: imesh-rule, namespace: deb-ns}
        spec:
          host: stable-svc
          subsets:
          - {name: stable, labels: {app: nginx}}
          - {name: canary, labels: {app: nginx}}
        """);
    assertProblems(subsetSpec,
        "VirtualService deb-ns/imesh-vsvc: http route 'primary' has no stable destination host 'stable-svc' subset 'stable'; its destinations"
            + " are [host 'stable-svc', host 'canary-svc']: route to the stable and canary destinations of the rollout's traffic strategy",
        "VirtualService deb-ns/imesh-vsvc: http route 'primary' has no canary destination host 'stable-svc' subset 'canary': add"
            + " {destination: {host: stable-svc, subset: canary}, weight: 0} to its route, or let the router add it (IstioTrafficRouter.builder(client).addMissingCanaryDestinations(true))",
        "VirtualService deb-ns/imesh-vsvc: http route 'primary' also sends traffic to [host 'stable-svc' (weight 100)]: the rollout splits the"
            + " whole route between stable and canary, so set those weights to 0 or move them to another route");
  }

  @Test
  void aMissingSubsetListsTheSubsetsThatExist() {
    seed("rollouts-demo-subsets");
    cluster.editAsAnotherWriter("DestinationRule", DEMO_NS, "rollout-destrule",
        dr -> Trees.put(dr, List.of(Map.of("name", "stable", "labels", Map.of("app", "rollouts-demo"))), "spec", "subsets"));
    assertProblems(demo("rollout-destrule"),
        "DestinationRule " + DEMO_NS + "/rollout-destrule: has no subset 'canary' (its subsets are [stable]): add {name: canary, labels: {...}}"
            + " selecting the pods of the service");
  }

  @Test
  void aDestinationRuleOfAnotherHostIsRefused() {
    seed("rollouts-demo-subsets");
    cluster.editAsAnotherWriter("DestinationRule", DEMO_NS, "rollout-destrule", dr -> Trees.put(dr, "other-svc", "spec", "host"));
    assertProblems(demo("rollout-destrule"),
        "DestinationRule " + DEMO_NS + "/rollout-destrule: its host is 'other-svc' but the rollout routes to service 'rollouts-demo-svc':"
            + " name the DestinationRule of that service in traffic.destinationRule");
  }

  @Test
  void aMissingCanaryDestinationSaysWhatToAdd() {
    seed("appA-services");
    cluster.editAsAnotherWriter("VirtualService", "nsa", "virtual-service-appa",
        vs -> Trees.editList(vs, route -> route.remove(1), "spec", "http", 0, "route"));
    assertProblems(appA(VirtualServiceRef.of("virtual-service-appa", "appa-http-route")),
        APPA_VS + ": http route 'appa-http-route' has no canary destination host 'appa-canary-service': add"
            + " {destination: {host: appa-canary-service}, weight: 0} to its route, or let the router add it (IstioTrafficRouter.builder(client).addMissingCanaryDestinations(true))");
  }

  @Test
  void weightsThatDoNotSumToAHundredAreRefused() {
    seed("appA-services");
    cluster.editAsAnotherWriter("VirtualService", "nsa", "virtual-service-appa", vs -> Trees.put(vs, 10, "spec", "http", 0, "route", 1, "weight"));
    assertProblems(appA(VirtualServiceRef.of("virtual-service-appa", "appa-http-route")),
        APPA_VS + ": http route 'appa-http-route' has weights that sum to 110: Istio needs the weights of a route to sum to 100");
  }

  @Test
  void aThirdDestinationCarryingWeightIsRefused() {
    seed("appA-services");
    cluster.editAsAnotherWriter("VirtualService", "nsa", "virtual-service-appa", vs -> {
      Trees.editList(vs, route -> route.add(Map.of("destination", Map.of("host", "appa-legacy"), "weight", 10)), "spec", "http", 0, "route");
      Trees.put(vs, 90, "spec", "http", 0, "route", 0, "weight");
    });
    assertProblems(appA(VirtualServiceRef.of("virtual-service-appa", "appa-http-route")),
        APPA_VS + ": http route 'appa-http-route' also sends traffic to [host 'appa-legacy' (weight 10)]: the rollout splits the whole route"
            + " between stable and canary, so set those weights to 0 or move them to another route");
  }

  @Test
  void tlsAndTcpRoutesNotFoundShowTheMatchesThatExist() {
    seed("appA-services");
    VirtualServiceRef tlsAndTcp = VirtualServiceRef.builder().name("virtual-service-appa")
        .addTlsRoutes(TlsRoute.of(443, "appa.domain.com")).addTcpRoutes(5432).build();
    assertProblems(appA(tlsAndTcp),
        APPA_VS + ": has no tls route (port 443, sniHosts [appa.domain.com]); the matches of its tls routes are []",
        APPA_VS + ": has no tcp route (port 5432); the matches of its tcp routes are []");
  }

  @Test
  void aServiceWithoutSelectorIsRefusedForTheServiceStrategy() {
    seed("appA-services");
    cluster.editAsAnotherWriter("Service", "nsa", "appa-canary-service", svc -> ((Map<?, ?>) svc.get("spec")).remove("selector"));
    assertProblems(appA(VirtualServiceRef.of("virtual-service-appa", "appa-http-route")),
        "Service nsa/appa-canary-service: has no selector: the service strategy narrows each Service's selector to one revision's pods,"
            + " so give it the selector of the workload's pods (for example {app: my-app})");
  }

  @Test
  void headerRoutesNeedAnHttpRouteToCopyDestinationsFrom() {
    seed("appA-services");
    CanarySpec spec = CanarySpec.copyOf(appA(VirtualServiceRef.builder().name("virtual-service-appa").addTcpRoutes(80).build()))
        .withSteps(Step.setHeaderRoute("testers", RouteMatch.header("x-test", StringMatch.exact("1"))), Step.setWeight(20));
    assertProblems(spec,
        APPA_VS + ": has no tcp route (port 80); the matches of its tcp routes are []",
        "traffic.virtualServices: header and mirror routes [testers] need an http route of the rollout to copy the stable and canary"
            + " destinations from; name one");
  }

  @Test
  void aRouteNamedLikeAManagedRouteIsRefused() {
    seed("appA-services");
    CanarySpec spec = CanarySpec.copyOf(appA(VirtualServiceRef.of("virtual-service-appa", "appa-http-route")))
        .withSteps(Step.setHeaderRoute("appa-http-route", RouteMatch.header("x-test", StringMatch.exact("1"))), Step.setWeight(20));
    assertProblems(spec,
        APPA_VS + ": http route 'appa-http-route' is also the name of a header or mirror route the rollout manages: rename one of them");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    seed("rollouts-demo-subsets");
    CanarySpec spec = CanarySpec.copyOf(RolloutsDemoSubsetsTest.SPEC).withTraffic(IstioStrategy.subsets("rollouts-demo-svc", "no-rule",
        VirtualServiceRef.of("rollouts-demo-vs2", "route-two"), VirtualServiceRef.of("no-vs")));
    assertProblems(spec,
        "VirtualService " + DEMO_NS + "/rollouts-demo-vs2: has no http route 'route-two'; its http routes are ['route-one']",
        "VirtualService " + DEMO_NS + "/no-vs: not found (looked at networking.istio.io/v1, networking.istio.io/v1beta1,"
            + " networking.istio.io/v1alpha3): create it, or name the one the rollout should drive",
        "DestinationRule " + DEMO_NS + "/no-rule: not found (looked at networking.istio.io/v1, networking.istio.io/v1beta1,"
            + " networking.istio.io/v1alpha3): create it, or name the one the rollout should drive");
  }

  @Test
  void aTrafficStrategyOfTheUsersOwnIsRefused() {
    seed("appA-services");
    VirtualServiceRef vs = VirtualServiceRef.of("virtual-service-appa", "appa-http-route");
    TrafficStrategy custom = new TrafficStrategy() {
      @Override
      public String kind() {
        return "custom";
      }

      @Override
      public String canonicalForm() {
        return "custom";
      }
    };
    CanarySpec spec = CanarySpec.copyOf(appA(vs)).withTraffic(custom);
    assertProblems(spec, "traffic: " + custom.getClass().getName() + " is not a strategy the Istio router knows:"
        + " use IstioStrategy.subsets(...) or IstioStrategy.services(...)");
  }
}
