package io.canary.istio;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanarySpec;
import io.canary.core.HeaderRoute;
import io.canary.core.MirrorRoute;
import io.canary.core.RouteMatch;
import io.canary.core.Step;
import io.canary.core.StringMatch;
import io.canary.core.spi.RoutingState;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the router writes fits Istio's published CRD schemas (scenarios/istio-crds.yaml). */
@EnableKubernetesMockClient(crud = true, https = false)
class SchemaTest {
  static final String NS = RolloutsDemoSubsetsTest.NS;
  static final RouteMatch TESTERS = RouteMatch.builder()
      .putHeaders("cookie", StringMatch.regex(HelloworldVersionsTest.COMPANY_COOKIE))
      .putHeaders("x-tester", StringMatch.prefix("team-"))
      .uri(StringMatch.prefix("/api"))
      .method(StringMatch.exact("GET"))
      .build();

  KubernetesMockServer server;

  @Test
  void writtenVirtualServiceAndDestinationRuleFitTheSchemaOfTheirVersion() {
    MockCluster cluster = new MockCluster(server).seedScenario("rollouts-demo-subsets");
    CanarySpec spec = CanarySpec.copyOf(RolloutsDemoSubsetsTest.SPEC)
        .withSteps(Step.setHeaderRoute("testers", 50, TESTERS), Step.setMirrorRoute("shadow", 12.5, TESTERS), Step.setWeight(20));
    RoutingState state = RoutingState.builder().from(RoutingStates.during(20))
        .addHeaderRoutes(new HeaderRoute("testers", List.of(TESTERS), 50))
        .addMirrorRoutes(new MirrorRoute("shadow", List.of(TESTERS), 12.5))
        .build();

    IstioTrafficRouter.create(cluster.client()).apply(spec, state);

    Map<String, Object> vs = cluster.read("VirtualService", NS, "rollouts-demo-vs2");
    assertThat((List<?>) Trees.get(vs, "spec", "http")).hasSize(3);
    assertThat(CrdSchema.of("virtualservices.networking.istio.io", "v1alpha3").violations(vs)).isEmpty();
    assertThat(CrdSchema.of("destinationrules.networking.istio.io", "v1alpha3")
        .violations(cluster.read("DestinationRule", NS, "rollout-destrule"))).isEmpty();
  }

  @Test
  void theSchemaCheckCatchesAWeightThatIsNotAnIntegerAndAFieldIstioDoesNotKnow() {
    MockCluster cluster = new MockCluster(server).seedScenario("rollouts-demo-subsets");
    Map<String, Object> vs = cluster.seeded("VirtualService", NS, "rollouts-demo-vs2");
    Trees.put(vs, 20.5, "spec", "http", 0, "route", 1, "weight");
    Trees.put(vs, Map.of("value", 5), "spec", "http", 0, "mirrorShare");

    assertThat(CrdSchema.of("virtualservices.networking.istio.io", "v1alpha3").violations(vs)).containsExactlyInAnyOrder(
        "spec.http[0].route[1].weight must be an integer, was 20.5",
        "spec.http[0].mirrorShare is not in the schema");
  }
}
