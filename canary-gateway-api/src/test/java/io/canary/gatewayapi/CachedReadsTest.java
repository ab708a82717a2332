package io.canary.gatewayapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanarySpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The router reads its routes and Services from its informers' caches and writes them with the cached
 * resourceVersion: once the caches hold them, a rollout sends no GET of one of them, a state already
 * in force sends nothing, a write over a stale copy is refused (409), re-read and re-applied without
 * clobbering the other writer, and a write right after the router's own builds on what that write
 * returned, not on the cache that has not caught up.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class CachedReadsTest {
  static final String ROUTE_PATH = "/apis/gateway.networking.k8s.io/v1/namespaces/nsa/httproutes/appa";
  static final String ROUTE = "PUT " + ROUTE_PATH;
  static final String STABLE = "PUT /api/v1/namespaces/nsa/services/appa-stable";
  static final String CANARY = "PUT /api/v1/namespaces/nsa/services/appa-canary";
  static final CanarySpec SPEC = AppAGatewayApiScenarioTest.SPEC;
  /** A GET of one object by name (not a list or a watch, which carry no name in their path). */
  static final Pattern SINGLE_READ = Pattern.compile("GET /api.*/namespaces/[^/]+/[a-z]+/[^/?]+");

  KubernetesMockServer server;
  ApiServer cluster;
  KubernetesClient routerClient;
  GatewayApiTrafficRouter router;
  /** The informer watches the router's client has asked for, by resource plural. */
  final Set<String> watchesAsked = ConcurrentHashMap.newKeySet();
  /** Once set, another writer edits the HTTPRoute right before the router's next write of it. */
  final AtomicBoolean raced = new AtomicBoolean();
  final AtomicInteger racedEdits = new AtomicInteger();
  /** While set, the router's HTTPRoute informer hears of no change: its watches and later lists go nowhere. */
  final AtomicBoolean freezeRoutes = new AtomicBoolean();
  final AtomicInteger routeLists = new AtomicInteger();

  @BeforeEach
  void seed() {
    cluster = new ApiServer(server).seedScenario("appA-gateway-api");
  }

  @AfterEach
  void close() {
    if (router != null) {
      router.close();
    }
    if (routerClient != null) {
      routerClient.close();
    }
  }

  private GatewayApiTrafficRouter router() {
    Interceptor interceptor = new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, Interceptor.RequestTags tags) {
        String path = request.uri().getPath();
        String query = request.uri().getQuery() == null ? "" : request.uri().getQuery();
        String plural = path.substring(path.lastIndexOf('/') + 1);
        boolean collection = path.matches(".*/namespaces/[^/]+/[a-z]+");
        if ("GET".equals(request.method()) && collection && query.contains("watch=true")) {
          watchesAsked.add(plural);
        }
        if (freezeRoutes.get() && collection && plural.equals("httproutes")
            && (query.contains("watch=true") || routeLists.incrementAndGet() > 1)) {
          builder.uri(URI.create(server.url("/frozen")));
        }
        if ("PUT".equals(request.method()) && path.equals(ROUTE_PATH) && raced.getAndSet(false)) {
          int edit = racedEdits.incrementAndGet();
          cluster.editAsAnotherWriter("HTTPRoute", "nsa", "appa", route -> Trees.put(route, edit + "s", "spec", "rules", 0, "timeouts", "request"));
        }
      }
    };
    routerClient = ApiServer.client(server, http -> http.addOrReplaceInterceptor("test", interceptor));
    router = GatewayApiTrafficRouter.create(routerClient);
    return router;
  }

  @Test
  void aWholeRolloutSendsNoGetOfARouteOrServiceOnceTheCachesHoldThem() throws Exception {
    GatewayApiTrafficRouter router = router();
    assertThat(router.validate(SPEC)).isEmpty();
    awaitWatches("httproutes", "services");
    cluster.takeRequests();

    List<String> requests = new ArrayList<>();
    try (AutoCloseable drift = router.watchRouting(SPEC, weights -> {});
        AutoCloseable confirmations = router.watchConfirmation(SPEC, () -> {})) {
      for (int weight = 10; weight <= 100; weight += 10) {
        router.apply(SPEC, States.during(weight));
        router.confirmation(SPEC, States.during(weight));
        router.currentWeights(SPEC);
        requests.addAll(cluster.takeRequests());
      }
      router.apply(SPEC, States.promoted());
      router.apply(SPEC, States.released());
      requests.addAll(cluster.takeRequests());
    }

    assertThat(requests).filteredOn(r -> SINGLE_READ.matcher(r).matches()).isEmpty();
    // each write carried the resourceVersion of the router's last write: none was refused and sent again
    assertThat(requests).filteredOn(r -> r.equals(ROUTE)).hasSize(11);
    assertThat(requests).filteredOn(r -> r.equals(STABLE)).hasSize(3);
    assertThat(requests).filteredOn(r -> r.equals(CANARY)).hasSize(2);
    assertThat(cluster.read("HTTPRoute", "nsa", "appa")).isEqualTo(cluster.seeded("HTTPRoute", "nsa", "appa"));
    assertThat(cluster.read("Service", "nsa", "appa-stable")).isEqualTo(cluster.seeded("Service", "nsa", "appa-stable"));
  }

  @Test
  void aSetWeightToTheWeightInForceSendsNoWrite() {
    GatewayApiTrafficRouter router = router();
    router.apply(SPEC, States.during(30));
    awaitWatches("httproutes", "services");
    cluster.takeRequests();

    router.apply(SPEC, States.during(30));
    router.apply(SPEC, States.during(30));

    assertThat(cluster.takeRequests()).filteredOn(r -> !r.startsWith("GET ") || SINGLE_READ.matcher(r).matches()).isEmpty();
  }

  @Test
  void aWriteOverAStaleCopyIsRefusedReReadAndLandsKeepingTheOtherWritersTimeout() {
    GatewayApiTrafficRouter router = router();
    router.apply(SPEC, States.during(20));
    awaitWatches("httproutes", "services");
    cluster.takeRequests();

    raced.set(true);
    router.apply(SPEC, States.during(40));

    List<String> requests = cluster.takeRequests();
    assertThat(racedEdits).hasValue(1);
    Map<String, Object> expected = cluster.seeded("HTTPRoute", "nsa", "appa");
    Trees.put(expected, "1s", "spec", "rules", 0, "timeouts", "request");
    Trees.putWeights(expected, 0, 60, 40);
    assertThat(cluster.read("HTTPRoute", "nsa", "appa")).isEqualTo(expected);
    // the other writer's read and write come first; then the router's refused write, its one re-read, its write
    assertThat(requests).filteredOn(r -> r.endsWith(ROUTE_PATH))
        .containsExactly("GET " + ROUTE_PATH, ROUTE, ROUTE, "GET " + ROUTE_PATH, ROUTE);
  }

  @Test
  void aWriteRightAfterTheRoutersOwnBuildsOnWhatThatWriteReturnedNotOnTheLaggingCache() {
    freezeRoutes.set(true);
    GatewayApiTrafficRouter router = router();
    assertThat(router.validate(SPEC)).isEmpty();
    awaitWatches("httproutes", "services");
    cluster.takeRequests();

    // the HTTPRoute informer still holds the seed (weights 100/0) after each of these writes
    router.apply(SPEC, States.during(20));
    router.apply(SPEC, States.during(50));
    // back to what the stale cache shows: a write all the same, or the 50 would stay
    router.apply(SPEC, States.during(0));

    List<String> requests = cluster.takeRequests();
    // no write was refused for a stale resourceVersion (a refusal is answered with a re-read)
    assertThat(requests).filteredOn(r -> SINGLE_READ.matcher(r).matches()).isEmpty();
    assertThat(requests).filteredOn(r -> r.equals(ROUTE)).hasSize(3);
    assertThat(Trees.get(cluster.read("HTTPRoute", "nsa", "appa"), "spec", "rules", 0, "backendRefs", 0, "weight")).isEqualTo(100);
    assertThat(router.currentWeights(SPEC)).extracting(w -> w.canaryWeight()).containsExactly(0);
  }

  /** Waits until the router's informers have listed (they ask for their watch right after the first list). */
  private void awaitWatches(String... plurals) {
    Await.until("the router's informers listing " + List.of(plurals), () -> watchesAsked.containsAll(List.of(plurals)));
  }
}
