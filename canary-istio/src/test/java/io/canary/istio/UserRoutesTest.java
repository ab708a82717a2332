package io.canary.istio;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanarySpec;
import io.canary.core.HeaderRoute;
import io.canary.core.MirrorRoute;
import io.canary.core.NewRevision;
import io.canary.core.RouteMatch;
import io.canary.core.Step;
import io.canary.core.StringMatch;
import io.canary.istio.TlsRoute;
import io.canary.istio.IstioStrategy;
import io.canary.istio.VirtualServiceRef;
import io.canary.core.WorkloadRef;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingState;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * User routes before and after the managed one, retries, timeouts, fault injection and fields no model
 * knows, tls and tcp routes, FQDN hosts, a second VirtualService in another namespace, and a
 * DestinationRule with other subsets and traffic policies: only the owned fields change.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class UserRoutesTest {
  static final HeaderRoute BETA = new HeaderRoute("beta-testers", List.of(RouteMatch.header("x-beta", StringMatch.exact("yes"))), 100);
  static final MirrorRoute SHADOW = new MirrorRoute("shadow", List.of(RouteMatch.builder().uri(StringMatch.prefix("/api")).build()), 25.0);

  static final CanarySpec SPEC = CanarySpec.builder()
      .name("shop")
      .namespace("shop")
      .target(WorkloadRef.deployment("shop"))
      .revision(NewRevision.image("shop", "example/shop:2"))
      .traffic(IstioStrategy.subsets("shop", "shop",
          VirtualServiceRef.builder().name("shop").addHttpRoutes("primary")
              .addTlsRoutes(TlsRoute.of(443, "shop.example.com")).addTcpRoutes(3306).build(),
          VirtualServiceRef.builder().name("shop-edge").namespace("edge").addHttpRoutes("to-shop").build()))
      .addSteps(Step.setHeaderRoute("beta-testers", RouteMatch.header("x-beta", StringMatch.exact("yes"))),
          Step.setMirrorRoute("shadow", 25.0, RouteMatch.builder().uri(StringMatch.prefix("/api")).build()),
          Step.setWeight(30))
      .build();

  static final RoutingState THIRTY_WITH_ROUTES = RoutingState.builder()
      .canaryWeight(30)
      .stableLabels(RoutingStates.STABLE_LABELS)
      .canaryLabels(RoutingStates.CANARY_LABELS)
      .managedLabelKeys(RoutingStates.KEYS)
      .addHeaderRoutes(BETA)
      .addMirrorRoutes(SHADOW)
      .build();

  KubernetesMockServer server;
  MockCluster cluster;
  IstioTrafficRouter router;

  @BeforeEach
  void seed() {
    cluster = new MockCluster(server).seedResource("shop.yaml");
    router = IstioTrafficRouter.create(cluster.client());
  }

  @Test
  void onlyWeightsManagedRoutesAndSubsetLabelsChange() {
    assertThat(router.validate(SPEC)).isEmpty();

    router.apply(SPEC, THIRTY_WITH_ROUTES);

    Map<String, Object> shop = cluster.seeded("VirtualService", "shop", "shop");
    Trees.putWeights(shop, 70, 30, "spec", "http", 1);
    Trees.putWeights(shop, 70, 30, "spec", "tls", 0);
    Trees.putWeights(shop, 70, 30, "spec", "tcp", 0);
    Map<String, Object> stable = destination("shop.shop.svc.cluster.local", "stable", 80);
    Map<String, Object> canary = destination("shop.shop", "canary", 80);
    prependManagedRoutes(shop, stable, canary);
    assertThat(cluster.read("VirtualService", "shop", "shop")).isEqualTo(shop);

    Map<String, Object> edge = cluster.seeded("VirtualService", "edge", "shop-edge");
    Trees.putWeights(edge, 30, 70, "spec", "http", 0);
    prependManagedRoutes(edge,
        destination("shop.shop.svc.cluster.local", "stable", null), destination("shop.shop.svc.cluster.local", "canary", null));
    assertThat(cluster.read("VirtualService", "edge", "shop-edge")).isEqualTo(edge);

    Map<String, Object> rule = cluster.seeded("DestinationRule", "shop", "shop");
    Trees.put(rule, Map.of("app", "shop", "pod-template-hash", RoutingStates.STABLE_HASH), "spec", "subsets", 1, "labels");
    Trees.put(rule, Map.of("app", "shop", "canary.io/revision", RoutingStates.CANARY_HASH), "spec", "subsets", 2, "labels");
    assertThat(cluster.read("DestinationRule", "shop", "shop")).isEqualTo(rule);

    assertThat(router.currentWeights(SPEC)).containsExactly(
        new RouteWeight("VirtualService shop/shop", "http route 'primary'", 70, 30),
        new RouteWeight("VirtualService shop/shop", "tls route (port 443, sniHosts [shop.example.com])", 70, 30),
        new RouteWeight("VirtualService shop/shop", "tcp route (port 3306)", 70, 30),
        new RouteWeight("VirtualService edge/shop-edge", "http route 'to-shop'", 70, 30));
  }

  @Test
  void releasingRemovesTheManagedRoutesAndLabelsAndGivesEveryObjectBackAsSeeded() {
    router.apply(SPEC, THIRTY_WITH_ROUTES);

    router.apply(SPEC, RoutingStates.released());

    assertThat(cluster.read("VirtualService", "shop", "shop")).isEqualTo(cluster.seeded("VirtualService", "shop", "shop"));
    assertThat(cluster.read("VirtualService", "edge", "shop-edge")).isEqualTo(cluster.seeded("VirtualService", "edge", "shop-edge"));
    assertThat(cluster.read("DestinationRule", "shop", "shop")).isEqualTo(cluster.seeded("DestinationRule", "shop", "shop"));
  }

  @Test
  void aHeaderRouteRemovedFromTheStateLeavesTheMirrorRouteAndUserRoutesInPlace() {
    router.apply(SPEC, THIRTY_WITH_ROUTES);

    router.apply(SPEC, RoutingState.copyOf(THIRTY_WITH_ROUTES).withHeaderRoutes());

    assertThat(cluster.read("VirtualService", "shop", "shop"))
        .extracting(vs -> ((List<?>) Trees.get(vs, "spec", "http")).stream().map(r -> ((Map<?, ?>) r).get("name")).toList())
        .isEqualTo(List.of("shadow", "legacy-api", "primary", "fallback"));
  }

  /** Header routes, then mirror routes, then the user's routes, all with the route's destinations and ports. */
  private static void prependManagedRoutes(Map<String, Object> vs, Map<String, Object> stable, Map<String, Object> canary) {
    List<Object> http = new ArrayList<>();
    http.add(Map.of(
        "name", "beta-testers",
        "match", List.of(Map.of("headers", Map.of("x-beta", Map.of("exact", "yes")))),
        "route", List.of(Map.of("destination", stable, "weight", 0), Map.of("destination", canary, "weight", 100))));
    http.add(Map.of(
        "name", "shadow",
        "match", List.of(Map.of("uri", Map.of("prefix", "/api"))),
        "route", List.of(Map.of("destination", stable, "weight", 70), Map.of("destination", canary, "weight", 30)),
        "mirror", canary,
        "mirrorPercentage", Map.of("value", 25.0)));
    http.addAll((List<?>) Trees.get(vs, "spec", "http"));
    Trees.put(vs, http, "spec", "http");
  }

  private static Map<String, Object> destination(String host, String subset, Integer port) {
    Map<String, Object> destination = new LinkedHashMap<>();
    destination.put("host", host);
    destination.put("subset", subset);
    if (port != null) {
      destination.put("port", Map.of("number", port));
    }
    return destination;
  }
}
