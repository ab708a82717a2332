package io.canary.gatewayapi;

import static io.canary.gatewayapi.States.during;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanarySpec;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The API requests of a whole rollout over two routes (the HTTPRoute and a GRPCRoute of the release),
 * counted on the server: one write per route per weight change, the Services only when their selectors
 * change, nothing when nothing changes.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class RequestCountTest {
  static final String HTTP_ROUTE = "PUT /apis/gateway.networking.k8s.io/v1/namespaces/nsa/httproutes/appa";
  static final String GRPC_ROUTE = "PUT /apis/gateway.networking.k8s.io/v1/namespaces/nsa/grpcroutes/appa-grpc";
  static final String STABLE = "PUT /api/v1/namespaces/nsa/services/appa-stable";
  static final String CANARY = "PUT /api/v1/namespaces/nsa/services/appa-canary";
  static final CanarySpec SPEC = CanarySpec.copyOf(AppAGatewayApiScenarioTest.SPEC).withTraffic(GatewayApiStrategy.builder()
      .stableService("appa-stable").canaryService("appa-canary")
      .addRoutes(RouteRef.http("appa", "api"), RouteRef.grpc("appa-grpc", 0))
      .confirmation(ConfirmationPolicy.OFF).build());

  KubernetesMockServer server;
  ApiServer cluster;
  GatewayApiTrafficRouter router;

  @BeforeEach
  void seed() {
    cluster = new ApiServer(server).seedScenario("appA-gateway-api").seedResource("appa-grpc.yaml");
    router = GatewayApiTrafficRouter.create(cluster.client());
  }

  @Test
  void aWholeRolloutWritesEachRouteOncePerWeightChangeAndTheServicesOnlyWhenTheirSelectorsChange() {
    router.apply(SPEC, during(20));
    assertThat(cluster.takeWrites()).containsExactly(STABLE, CANARY, HTTP_ROUTE, GRPC_ROUTE);

    for (int weight : List.of(40, 60, 80)) {
      router.apply(SPEC, during(weight));
      List<String> requests = cluster.takeRequests();
      // the objects come from the router's informers (CachedReadsTest counts the reads)
      assertThat(requests).filteredOn(r -> !r.startsWith("GET ")).containsExactly(HTTP_ROUTE, GRPC_ROUTE);
    }

    router.apply(SPEC, States.promoted());
    assertThat(cluster.takeWrites()).containsExactly(STABLE, HTTP_ROUTE, GRPC_ROUTE);

    // the weights are already all on stable: the release only gives the selectors back
    router.apply(SPEC, States.released());
    assertThat(cluster.takeWrites()).containsExactly(STABLE, CANARY);
  }

  @Test
  void applyingTheStateTheObjectsAlreadyCarryWritesNothing() {
    router.apply(SPEC, during(60));
    cluster.takeRequests();

    router.apply(SPEC, during(60));

    assertThat(cluster.takeWrites()).isEmpty();
  }

  @Test
  void theTwoRoutesMoveTogetherAndTheGrpcRoutesOtherRuleAndFieldsStayAsTheyAre() {
    router.apply(SPEC, during(40));

    Map<String, Object> grpc = cluster.seeded("GRPCRoute", "nsa", "appa-grpc");
    Trees.putWeights(grpc, 0, 60, 40);
    assertThat(cluster.read("GRPCRoute", "nsa", "appa-grpc")).isEqualTo(grpc);
    Map<String, Object> http = cluster.seeded("HTTPRoute", "nsa", "appa");
    Trees.putWeights(http, 0, 60, 40);
    assertThat(cluster.read("HTTPRoute", "nsa", "appa")).isEqualTo(http);
    assertThat(router.currentWeights(SPEC)).extracting(w -> w.object() + " " + w.route() + " " + w.stableWeight() + "/" + w.canaryWeight())
        .containsExactly("HTTPRoute nsa/appa rule 'api' 60/40", "GRPCRoute nsa/appa-grpc rule #0 60/40");
  }

  @Test
  void headerAndMirrorRulesGoIntoTheHttpRouteOnlyTheGrpcRouteCarriesWeights() {
    router.apply(SPEC, during(20, List.of(States.HEADER), List.of(States.MIRROR)));

    Map<String, Object> grpc = cluster.seeded("GRPCRoute", "nsa", "appa-grpc");
    Trees.putWeights(grpc, 0, 80, 20);
    assertThat(cluster.read("GRPCRoute", "nsa", "appa-grpc")).isEqualTo(grpc);
    assertThat((List<?>) Trees.get(cluster.read("HTTPRoute", "nsa", "appa"), "spec", "rules"))
        .extracting(rule -> Trees.get(rule, "name")).containsExactly("canary-header", "canary-mirror", "api");
  }
}
