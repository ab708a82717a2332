package io.canary.gatewayapi;

import static io.canary.gatewayapi.States.CANARY_LABELS;
import static io.canary.gatewayapi.States.HEADER;
import static io.canary.gatewayapi.States.MIRROR;
import static io.canary.gatewayapi.States.STABLE_LABELS;
import static io.canary.gatewayapi.States.during;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.RouteMatch;
import io.canary.core.Step;
import io.canary.core.StringMatch;
import io.canary.core.WorkloadRef;
import io.canary.core.spi.RoutingState;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Seeds appA-gateway-api and steps its plan through the router: after every step the whole HTTPRoute
 * and both Services equal their seeds but for the fields the plan owns at that step, and the end gives
 * every object back exactly as seeded.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class AppAGatewayApiScenarioTest {
  static final String NS = "nsa";
  static final CanarySpec SPEC = CanarySpec.builder()
      .name("appa").namespace(NS)
      .target(WorkloadRef.deployment("appa"))
      .revision(NewRevision.image("appa", "example/appa:1.1.0"))
      .traffic(GatewayApiStrategy.services("appa-stable", "appa-canary", RouteRef.http("appa", "api")))
      .addSteps(Step.setWeight(20), Step.pause(Duration.ofMinutes(1)),
          Step.setHeaderRoute("canary-header", RouteMatch.header("x-canary", StringMatch.exact("always"))),
          Step.setWeight(40), Step.pause(Duration.ofMinutes(1)),
          Step.setMirrorRoute("canary-mirror", 10, RouteMatch.builder().uri(StringMatch.prefix("/")).build()),
          Step.setWeight(60), Step.pause(Duration.ofMinutes(1)), Step.setWeight(80), Step.pause(Duration.ofMinutes(1)))
      .build();

  KubernetesMockServer server;
  ApiServer cluster;
  GatewayApiTrafficRouter router;

  @BeforeEach
  void seed() {
    cluster = new ApiServer(server).seedScenario("appA-gateway-api");
    router = GatewayApiTrafficRouter.builder(cluster.client()).confirmation(ConfirmationPolicy.OFF).build();
  }

  @Test
  void everyStepOfThePlanChangesOnlyItsOwnFieldsAndTheEndGivesTheUserTheirObjectsBack() {
    assertThat(router.validate(SPEC)).isEmpty();

    step(during(20), route(80, 20), STABLE_LABELS, CANARY_LABELS);
    step(during(20, List.of(HEADER), List.of()), route(80, 20, headerRule()), STABLE_LABELS, CANARY_LABELS);
    step(during(40, List.of(HEADER), List.of()), route(60, 40, headerRule()), STABLE_LABELS, CANARY_LABELS);
    step(during(40, List.of(HEADER), List.of(MIRROR)), route(60, 40, headerRule(), mirrorRule(60, 40)), STABLE_LABELS, CANARY_LABELS);
    step(during(60, List.of(HEADER), List.of(MIRROR)), route(40, 60, headerRule(), mirrorRule(40, 60)), STABLE_LABELS, CANARY_LABELS);
    step(during(80, List.of(HEADER), List.of(MIRROR)), route(20, 80, headerRule(), mirrorRule(20, 80)), STABLE_LABELS, CANARY_LABELS);
    // promotion: header and mirror rules gone, the stable Service selects every pod while the Deployment rolls
    step(States.promoting(80), route(20, 80), Map.of(), CANARY_LABELS);
    step(States.promoted(), route(100, 0), CANARY_LABELS, CANARY_LABELS);
    step(States.released(), route(100, 0), Map.of(), Map.of());

    assertThat(cluster.read("HTTPRoute", NS, "appa")).isEqualTo(cluster.seeded("HTTPRoute", NS, "appa"));
    assertThat(cluster.read("Service", NS, "appa-stable")).isEqualTo(cluster.seeded("Service", NS, "appa-stable"));
    assertThat(cluster.read("Service", NS, "appa-canary")).isEqualTo(cluster.seeded("Service", NS, "appa-canary"));
    assertThat(cluster.read("Gateway", NS, "public")).isEqualTo(cluster.seeded("Gateway", NS, "public"));
    assertThat(cluster.read("Service", NS, "appa")).isEqualTo(cluster.seeded("Service", NS, "appa"));
  }

  @Test
  void anAbortSendsEverythingToStableDropsTheManagedRulesAndTheReleaseGivesTheSeedBack() {
    step(during(40, List.of(HEADER), List.of(MIRROR)), route(60, 40, headerRule(), mirrorRule(60, 40)), STABLE_LABELS, CANARY_LABELS);

    step(during(0), route(100, 0), STABLE_LABELS, CANARY_LABELS);
    step(States.released(), route(100, 0), Map.of(), Map.of());

    assertThat(cluster.read("HTTPRoute", NS, "appa")).isEqualTo(cluster.seeded("HTTPRoute", NS, "appa"));
  }

  @Test
  void theWeightsReadBackAreThoseOfTheManagedRule() {
    router.apply(SPEC, during(40, List.of(HEADER), List.of(MIRROR)));

    assertThat(router.currentWeights(SPEC)).singleElement().satisfies(w -> {
      assertThat(w.object()).isEqualTo("HTTPRoute nsa/appa");
      assertThat(w.route()).isEqualTo("rule 'api'");
      assertThat(w.stableWeight()).isEqualTo(60);
      assertThat(w.canaryWeight()).isEqualTo(40);
    });
  }

  @Test
  void theDryRunRendersWhatApplyWouldWriteAndWritesNothing() {
    var rendered = router.render(SPEC, during(20));

    assertThat(rendered).extracting(r -> r.kind() + " " + r.name())
        .containsExactly("Service nsa/appa-stable", "Service nsa/appa-canary", "HTTPRoute nsa/appa");
    assertThat(rendered.get(2).yaml()).contains("weight: 80", "weight: 20", "timeouts:");
    assertThat(cluster.takeWrites()).isEmpty();
  }

  private void step(RoutingState state, Map<String, Object> expectedRoute, Map<String, String> stable, Map<String, String> canary) {
    router.apply(SPEC, state);
    assertThat(cluster.read("HTTPRoute", NS, "appa")).as("HTTPRoute at %s", state).isEqualTo(expectedRoute);
    assertThat(cluster.read("Service", NS, "appa-stable")).as("stable Service at %s", state)
        .isEqualTo(Trees.withSelector(cluster.seeded("Service", NS, "appa-stable"), stable));
    assertThat(cluster.read("Service", NS, "appa-canary")).as("canary Service at %s", state)
        .isEqualTo(Trees.withSelector(cluster.seeded("Service", NS, "appa-canary"), canary));
  }

  /** The seed with the weights of rule 'api' and the managed rules before it. */
  @SafeVarargs
  private Map<String, Object> route(int stable, int canary, Map<String, Object>... managedRules) {
    Map<String, Object> route = cluster.seeded("HTTPRoute", NS, "appa");
    Trees.putWeights(route, 0, stable, canary);
    Trees.editList(route, rules -> rules.addAll(0, List.of(managedRules)), "spec", "rules");
    return route;
  }

  /** What a header rule for x-canary: always is, written out: the user's rule, narrowed, to the canary only. */
  static Map<String, Object> headerRule() {
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("name", "canary-header");
    rule.put("matches", List.of(Map.of("path", Map.of("type", "PathPrefix", "value", "/"),
        "headers", List.of(Map.of("name", "x-canary", "type", "Exact", "value", "always")))));
    rule.put("timeouts", Map.of("request", "10s"));
    rule.put("backendRefs", List.of(Map.of("name", "appa-stable", "port", 80, "weight", 0),
        Map.of("name", "appa-canary", "port", 80, "weight", 100)));
    return rule;
  }

  /** A mirror rule of 10 percent to the canary, the normal weights otherwise. */
  static Map<String, Object> mirrorRule(int stable, int canary) {
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("name", "canary-mirror");
    rule.put("matches", List.of(Map.of("path", Map.of("type", "PathPrefix", "value", "/"))));
    rule.put("timeouts", Map.of("request", "10s"));
    rule.put("backendRefs", List.of(Map.of("name", "appa-stable", "port", 80, "weight", stable),
        Map.of("name", "appa-canary", "port", 80, "weight", canary)));
    rule.put("filters", List.of(Map.of("type", "RequestMirror",
        "requestMirror", Map.of("backendRef", Map.of("name", "appa-canary", "port", 80), "percent", 10))));
    return rule;
  }
}
