package io.canary.istio;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanarySpec;
import io.canary.core.HeaderRoute;
import io.canary.core.NewRevision;
import io.canary.core.RouteMatch;
import io.canary.core.Step;
import io.canary.core.StringMatch;
import io.canary.istio.SubsetStrategy;
import io.canary.istio.VirtualServiceRef;
import io.canary.core.WorkloadRef;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingState;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Seed helloworld-versions: two user-managed Deployments told apart by the user's own subsets v1 and
 * v2, one unnamed http route, and the focused canary for company users.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class HelloworldVersionsTest {
  static final String COMPANY_COOKIE = "^(.*?;)?(email=[^;]*@some-company-name.com)(;.*)?$";
  static final HeaderRoute FOCUSED = new HeaderRoute("company-users", List.of(RouteMatch.header("cookie", StringMatch.regex(COMPANY_COOKIE))), 50);

  static final CanarySpec SPEC = CanarySpec.builder()
      .name("helloworld")
      .target(WorkloadRef.deployment("helloworld-v1"))
      .revision(NewRevision.existingWorkload("helloworld-v2"))
      .traffic(SubsetStrategy.builder().service("helloworld").destinationRule("helloworld").stableSubset("v1").canarySubset("v2")
          .addVirtualServices(VirtualServiceRef.builder().name("helloworld").build()).build())
      .addSteps(Step.setHeaderRoute("company-users", 50, RouteMatch.header("cookie", StringMatch.regex(COMPANY_COOKIE))),
          Step.pause(), Step.setWeight(10), Step.setWeight(50), Step.setWeight(100))
      .build();

  KubernetesMockServer server;
  MockCluster cluster;
  IstioTrafficRouter router;

  @BeforeEach
  void seed() {
    cluster = new MockCluster(server).seedScenario("helloworld-versions");
    router = IstioTrafficRouter.create(cluster.client());
  }

  @Test
  void theUnnamedSingleRouteIsSteppedNinetyTenFiftyFiftyZeroHundredWithoutTouchingTheUserSubsets() {
    // The seed's single route sends everything to v1 and has no v2 destination yet, as the blog post
    // starts: the router says what to add instead of adding it; the user adds it with weight 0.
    assertThat(router.validate(SPEC)).extracting(Object::toString).containsExactly("VirtualService default/helloworld: the single http route"
        + " has no canary destination host 'helloworld' subset 'v2': add {destination: {host: helloworld, subset: v2}, weight: 0} to its route, or let the router add it"
        + " (IstioTrafficRouter.builder(client).addMissingCanaryDestinations(true))");
    addV2Destination();
    assertThat(router.validate(SPEC)).isEmpty();

    for (int weight : List.of(10, 50, 100)) {
      router.apply(SPEC, RoutingState.builder().canaryWeight(weight).build());

      Map<String, Object> expected = seedWithV2Destination();
      Trees.putWeights(expected, 100 - weight, weight, "spec", "http", 0);
      assertThat(cluster.read("VirtualService", "default", "helloworld")).isEqualTo(expected);
      assertThat(cluster.read("DestinationRule", "default", "helloworld")).isEqualTo(cluster.seeded("DestinationRule", "default", "helloworld"));
      assertThat(router.currentWeights(SPEC)).containsExactly(
          new RouteWeight("VirtualService default/helloworld", "the single http route", 100 - weight, weight));
    }
  }

  @Test
  void theFocusedCanarySplitsCompanyUsersFiftyFiftyWhileEveryoneElseStaysOnV1() {
    addV2Destination();

    router.apply(SPEC, RoutingState.builder().canaryWeight(0).addHeaderRoutes(FOCUSED).build());
    assertThat(cluster.read("VirtualService", "default", "helloworld")).isEqualTo(withFocusedRoute(0));
    assertThat(cluster.read("DestinationRule", "default", "helloworld")).isEqualTo(cluster.seeded("DestinationRule", "default", "helloworld"));

    // The header route does not count as a second route: the user's single route is still found.
    router.apply(SPEC, RoutingState.builder().canaryWeight(10).addHeaderRoutes(FOCUSED).build());
    assertThat(cluster.read("VirtualService", "default", "helloworld")).isEqualTo(withFocusedRoute(10));

    router.apply(SPEC, RoutingState.builder().canaryWeight(0).build());
    assertThat(cluster.read("VirtualService", "default", "helloworld")).isEqualTo(seedWithV2Destination());
  }

  @Test
  void withAddMissingCanaryDestinationsTheSeedRunsAsGivenAndTheV2DestinationComesWithTheFirstWeight() {
    IstioTrafficRouter adding = IstioTrafficRouter.builder(cluster.client()).addMissingCanaryDestinations(true).build();
    assertThat(adding.validate(SPEC)).isEmpty();
    assertThat(adding.currentWeights(SPEC)).containsExactly(
        new RouteWeight("VirtualService default/helloworld", "the single http route", 100, 0));
    assertThat(cluster.read("VirtualService", "default", "helloworld"))
        .as("validating and reading write nothing").isEqualTo(cluster.seeded("VirtualService", "default", "helloworld"));

    for (int weight : List.of(10, 50, 100)) {
      adding.apply(SPEC, RoutingState.builder().canaryWeight(weight).build());
      Map<String, Object> expected = seedWithV2Destination();
      Trees.putWeights(expected, 100 - weight, weight, "spec", "http", 0);
      assertThat(cluster.read("VirtualService", "default", "helloworld")).isEqualTo(expected);
    }
    assertThat(cluster.read("DestinationRule", "default", "helloworld")).isEqualTo(cluster.seeded("DestinationRule", "default", "helloworld"));
  }

  /** The company users' route (50/50 whatever the step) before the user's route, which carries {@code canaryWeight}. */
  private Map<String, Object> withFocusedRoute(int canaryWeight) {
    Map<String, Object> expected = seedWithV2Destination();
    Trees.putWeights(expected, 100 - canaryWeight, canaryWeight, "spec", "http", 0);
    Map<String, Object> focused = Map.of(
        "name", "company-users",
        "match", List.of(Map.of("headers", Map.of("cookie", Map.of("regex", COMPANY_COOKIE)))),
        "route", List.of(
            Map.of("destination", Map.of("host", "helloworld", "subset", "v1"), "weight", 50),
            Map.of("destination", Map.of("host", "helloworld", "subset", "v2"), "weight", 50)));
    Trees.editList(expected, http -> http.add(0, focused), "spec", "http");
    return expected;
  }

  private void addV2Destination() {
    cluster.editAsAnotherWriter("VirtualService", "default", "helloworld",
        vs -> Trees.put(vs, Trees.get(seedWithV2Destination(), "spec", "http", 0, "route"), "spec", "http", 0, "route"));
    cluster.skipRequests();
  }

  private Map<String, Object> seedWithV2Destination() {
    Map<String, Object> vs = cluster.seeded("VirtualService", "default", "helloworld");
    Trees.editList(vs, route -> route.add(new LinkedHashMap<>(Map.of("destination", Map.of("host", "helloworld", "subset", "v2"), "weight", 0))),
        "spec", "http", 0, "route");
    return vs;
  }
}
