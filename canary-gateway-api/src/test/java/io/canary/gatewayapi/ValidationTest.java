package io.canary.gatewayapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.canary.core.CanarySpec;
import io.canary.core.CanaryValidationException;
import io.canary.core.Problem;
import io.canary.core.RouteMatch;
import io.canary.core.Step;
import io.canary.core.StringMatch;
import io.canary.core.TrafficStrategy;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One test per validation rule: validate() names the object and the field, says what is wrong and what
 * would be right, and apply() refuses with the same problems before writing anything.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class ValidationTest {
  static final String ROUTE = "HTTPRoute nsa/appa";

  KubernetesMockServer server;
  ApiServer cluster;

  @BeforeEach
  void seed() {
    cluster = new ApiServer(server).seedScenario("appA-gateway-api");
  }

  static CanarySpec spec(RouteRef... routes) {
    return spec(GatewayApiStrategy.services("appa-stable", "appa-canary", routes));
  }

  static CanarySpec spec(TrafficStrategy traffic) {
    return CanarySpec.copyOf(AppAGatewayApiScenarioTest.SPEC).withTraffic(traffic);
  }

  /** validate() reports exactly {@code expected}; apply() throws them all and nothing is written. */
  private void assertProblems(CanarySpec spec, String... expected) {
    GatewayApiTrafficRouter router = GatewayApiTrafficRouter.create(cluster.client());
    cluster.takeRequests();

    assertThat(router.validate(spec)).extracting(Problem::toString).containsExactly(expected);
    if (expected.length > 0) {
      CanaryValidationException refused = catchThrowableOfType(CanaryValidationException.class,
          () -> router.apply(spec, States.during(20)));
      assertThat(refused.problems()).extracting(Problem::toString).isSubsetOf(expected).isNotEmpty();
      assertThat(refused).hasMessageStartingWith("Routing of rollout nsa/appa is invalid");
    }
    assertThat(cluster.takeWrites()).isEmpty();
  }

  private void editRoute(java.util.function.Consumer<Map<String, Object>> change) {
    cluster.editAsAnotherWriter("HTTPRoute", "nsa", "appa", change);
  }

  @Test
  void aMissingRouteIsNamedWithTheVersionLookedAt() {
    assertProblems(spec(RouteRef.http("appb", "api")),
        "HTTPRoute nsa/appb: not found (at gateway.networking.k8s.io/v1): create it, or name the one the rollout should drive");
  }

  @Test
  void aMissingRuleIsNamedWithTheRulesThereAre() {
    assertProblems(spec(RouteRef.http("appa", "web")), ROUTE + " spec.rules: has no rule 'web'; its rules are ['api']");
  }

  @Test
  void aRuleIndexBeyondTheRulesSaysHowManyThereAre() {
    assertProblems(spec(RouteRef.http("appa", 1)), ROUTE + " spec.rules: has no rule #1; it has 1 rules: ['api']");
  }

  @Test
  void noRuleNamedNeedsARouteOfExactlyOneRule() {
    editRoute(route -> Trees.editList(route, rules -> rules.add(Map.of("backendRefs", List.of(Map.of("name", "other", "port", 80)))),
        "spec", "rules"));
    assertProblems(spec(RouteRef.http("appa")), ROUTE + " spec.rules: the rollout names no rule of it, so it needs exactly one rule,"
        + " but it has 2 ['api', #1 (unnamed)]: name the rule (RouteRef.http(route, rule)) or give its index");
  }

  @Test
  void aRuleWithoutTheCanaryBackendSaysWhatToAdd() {
    editRoute(route -> Trees.editList(route, refs -> refs.remove(1), "spec", "rules", 0, "backendRefs"));
    assertProblems(spec(RouteRef.http("appa", "api")), ROUTE + " spec.rules[0].backendRefs: has no backendRef to the canary Service"
        + " nsa/appa-canary (its backendRefs are [Service nsa/appa-stable port 80]): add {name: appa-canary, port: 80, weight: 0}");
  }

  @Test
  void aRuleWithoutTheStableBackendSaysWhatToAdd() {
    editRoute(route -> Trees.editList(route, refs -> refs.remove(0), "spec", "rules", 0, "backendRefs"));
    assertProblems(spec(RouteRef.http("appa", "api")), ROUTE + " spec.rules[0].backendRefs: has no backendRef to the stable Service"
        + " nsa/appa-stable (its backendRefs are [Service nsa/appa-canary port 80]): add {name: appa-stable, port: <the Service's port>, weight: 100}");
  }

  @Test
  void aRuleThatAlsoSendsTrafficElsewhereNamesTheOtherBackends() {
    editRoute(route -> Trees.editList(route, refs -> refs.add(Map.of("name", "appa-legacy", "namespace", "legacy", "port", 8080, "weight", 5)),
        "spec", "rules", 0, "backendRefs"));
    assertProblems(spec(RouteRef.http("appa", "api")), ROUTE + " spec.rules[0].backendRefs: also names [Service legacy/appa-legacy port 8080"
        + " (weight 5)]: the rollout splits the rule between the stable and the canary Service only; move the other backends to a rule of their own");
  }

  @Test
  void weightsOutsideTheApisRangeAreNamedByIndex() {
    editRoute(route -> Trees.put(route, 2_000_000, "spec", "rules", 0, "backendRefs", 0, "weight"));
    assertProblems(spec(RouteRef.http("appa", "api")),
        ROUTE + " spec.rules[0].backendRefs[0].weight: is 2000000; the API allows 0..1000000");
  }

  @Test
  void missingServicesAreNamed() {
    assertProblems(spec(GatewayApiStrategy.services("appa-blue", "appa-green", RouteRef.http("appa", "api"))),
        ROUTE + " spec.rules[0].backendRefs: has no backendRef to the stable Service nsa/appa-blue (its backendRefs are"
            + " [Service nsa/appa-stable port 80, Service nsa/appa-canary port 80]): add {name: appa-blue, port: <the Service's port>, weight: 100}",
        ROUTE + " spec.rules[0].backendRefs: has no backendRef to the canary Service nsa/appa-green (its backendRefs are"
            + " [Service nsa/appa-stable port 80, Service nsa/appa-canary port 80]): add {name: appa-green, port: <the Service's port>, weight: 0}",
        ROUTE + " spec.rules[0].backendRefs: also names [Service nsa/appa-stable port 80 (weight 100), Service nsa/appa-canary port 80 (weight 0)]:"
            + " the rollout splits the rule between the stable and the canary Service only; move the other backends to a rule of their own",
        "Service nsa/appa-blue: not found: create it, or name the one the rollout should drive",
        "Service nsa/appa-green: not found: create it, or name the one the rollout should drive");
  }

  @Test
  void aServiceWithoutASelectorIsNamed() {
    cluster.editAsAnotherWriter("Service", "nsa", "appa-canary", service -> Trees.put(service, Map.of(), "spec", "selector"));
    assertProblems(spec(RouteRef.http("appa", "api")), "Service nsa/appa-canary spec.selector: is empty: the rollout narrows each"
        + " Service's selector to one revision's pods, so give it the selector of the workload's pods (for example {app: my-app})");
  }

  @Test
  void aRouteAttachedToNothingIsNamed() {
    editRoute(route -> Trees.put(route, List.of(), "spec", "parentRefs"));
    assertProblems(spec(RouteRef.http("appa", "api")), ROUTE + " spec.parentRefs: is empty: the route is attached to no Gateway or"
        + " Service, so its weights would route nothing; attach it to the Gateway or the Service that carries the release's traffic");
  }

  @Test
  void aBackendRefFromAnotherNamespaceNeedsAReferenceGrant() {
    cluster.seedYaml(EDGE_ROUTE);
    assertProblems(spec(RouteRef.builder().name("edge").namespace("edge").rule("to-appa").build()),
        "HTTPRoute edge/edge backendRef Service nsa/appa-stable port 80: points into namespace nsa, and no ReferenceGrant there allows it:"
            + " create a ReferenceGrant in namespace nsa with from {group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: edge}"
            + " and to {group: \"\", kind: Service, name: appa-stable}",
        "HTTPRoute edge/edge backendRef Service nsa/appa-canary port 80: points into namespace nsa, and no ReferenceGrant there allows it:"
            + " create a ReferenceGrant in namespace nsa with from {group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: edge}"
            + " and to {group: \"\", kind: Service, name: appa-canary}");
  }

  @Test
  void aReferenceGrantForServicesOfTheNamespaceLetsTheRouteIn() {
    cluster.seedYaml(EDGE_ROUTE).seedYaml("""
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: ReferenceGrant
        metadata: {name: edge-to-services, namespace: nsa}
        spec:
          from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: edge}]
          to: [{group: "", kind: Service}]
        """);
    assertProblems(spec(RouteRef.builder().name("edge").namespace("edge").rule("to-appa").build()));
  }

  @Test
  void headerRulesNeedAnHttpRouteAndMethodsMatchedExactly() {
    cluster.seedResource("appa-grpc.yaml");
    CanarySpec spec = CanarySpec.copyOf(spec(RouteRef.grpc("appa-grpc", 0)))
        .withSteps(Step.setHeaderRoute("canary-header", RouteMatch.builder().method(StringMatch.prefix("P")).build()), Step.setWeight(20));
    assertProblems(spec,
        "traffic.routes: header and mirror routes [canary-header] become rules of an HTTPRoute, and the rollout names none:"
            + " add the HTTPRoute of the release",
        "steps[0].matches[0].method: is prefix 'P': an HTTPRoute matches a method exactly, one of"
            + " [CONNECT, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE]");
  }

  @Test
  void aManagedRuleNameThatIsAlsoTheUsersRuleIsRefused() {
    CanarySpec spec = CanarySpec.copyOf(spec(RouteRef.http("appa", "api")))
        .withSteps(Step.setHeaderRoute("api", RouteMatch.header("x-canary", StringMatch.exact("always"))), Step.setWeight(20));
    assertProblems(spec, ROUTE + " spec.rules: rule 'api' is also the name of a header or mirror route the rollout manages: rename one of them");
  }

  @Test
  void aStrategyOfAnotherRouterIsRefused() {
    TrafficStrategy other = new TrafficStrategy() {
      @Override
      public String kind() {
        return "pools";
      }

      @Override
      public String canonicalForm() {
        return "pools";
      }
    };
    GatewayApiTrafficRouter router = GatewayApiTrafficRouter.create(cluster.client());
    assertThat(router.validate(spec(other))).extracting(Problem::toString).singleElement().asString()
        .endsWith("is not a strategy the Gateway API router knows: use GatewayApiStrategy.services(...)");
    assertThat(catchThrowableOfType(CanaryValidationException.class, () -> router.apply(spec(other), States.during(20))))
        .hasMessageContaining("is not a strategy the Gateway API router knows");
    assertThat(catchThrowableOfType(CanaryValidationException.class, () -> router.confirmation(spec(other), States.during(20))))
        .hasMessageContaining("is not a strategy the Gateway API router knows");
    assertThat(cluster.takeWrites()).isEmpty();
  }

  @Test
  void refsWithTheDefaultsTheApiServerFillsInNameTheSameServices() {
    editRoute(route -> {
      Trees.put(route, Map.of("group", "", "kind", "Service", "name", "appa-stable", "port", 80, "weight", 100), "spec", "rules", 0, "backendRefs", 0);
      Trees.put(route, Map.of("group", "", "kind", "Service", "namespace", "nsa", "name", "appa-canary", "port", 80, "weight", 0),
          "spec", "rules", 0, "backendRefs", 1);
    });
    assertProblems(spec(RouteRef.http("appa", "api")));
  }

  static final String EDGE_ROUTE = """
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: edge, namespace: edge}
      spec:
        parentRefs: [{name: public, namespace: nsa}]
        rules:
        - name: to-appa
          backendRefs:
          - {name: appa-stable, namespace: nsa, port: 80, weight: 100}
          - {name: appa-canary, namespace: nsa, port: 80, weight: 0}
      """;
}
