package io.canary.gatewayapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.Problem;
import org.junit.jupiter.api.Test;

/** The strategy's own checks, made when the spec is built, and its canonical form for the release fingerprint. */
class GatewayApiStrategyTest {
  @Test
  void theStrategyReportsEveryProblemOfItsOwnFieldsAtOnce() {
    GatewayApiStrategy strategy = GatewayApiStrategy.builder().stableService("appa").canaryService("appa")
        .addRoutes(RouteRef.builder().name("Appa").rule("api").ruleIndex(0).build(), RouteRef.http("Appa", 16))
        .build();

    assertThat(strategy.validate()).extracting(Problem::toString).containsExactly(
        "canaryService: must differ from stableService ('appa')",
        "routes[0].name: 'Appa' is not a DNS-1123 name (lower case letters, digits, '-' and '.', at most 253 characters)",
        "routes[0]: names its rule both by name ('api') and by index (0): give one of them",
        "routes[1].name: 'Appa' is not a DNS-1123 name (lower case letters, digits, '-' and '.', at most 253 characters)",
        "routes[1].ruleIndex: must be within 0..15 (a route has at most 16 rules), was 16",
        "routes[1]: HTTPRoute 'Appa' is named twice; the rollout weighs one rule per route");
    assertThat(GatewayApiStrategy.builder().stableService("a").canaryService("b").build().validate())
        .extracting(Problem::toString).containsExactly("routes: name at least one HTTPRoute or GRPCRoute whose rule the rollout weighs");
  }

  @Test
  void theCanonicalFormNamesEveryFieldAndTheStatusTreeEveryRoute() {
    GatewayApiStrategy strategy = GatewayApiStrategy.builder().stableService("appa-stable").canaryService("appa-canary")
        .addRoutes(RouteRef.http("appa", "api"), RouteRef.builder().kind(RouteKind.GRPC_ROUTE).name("appa-grpc").namespace("edge").ruleIndex(1).build())
        .confirmation(ConfirmationPolicy.WARN).build();

    assertThat(strategy.canonicalForm()).isEqualTo("gateway-api-services(stableService=appa-stable canaryService=appa-canary"
        + " routes=HTTPRoute:/appa{rule=api index=};GRPCRoute:edge/appa-grpc{rule= index=1} confirmation=WARN)");
    assertThat(strategy.describeObjects()).containsExactly("HTTPRoute appa (rule 'api')", "GRPCRoute edge/appa-grpc (rule #1)");
    assertThat(strategy.kind()).isEqualTo("gateway-api");
  }
}
