package io.canary.istio;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.spi.RoutingState;
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
 * The router reads its routing objects from its informers' caches and writes them with the cached
 * resourceVersion: once the caches hold them, a rollout sends no GET of a routing object, a state
 * already in force sends nothing, a write over a stale copy is refused (409), re-read and re-applied
 * without clobbering the other writer, and a write right after the router's own builds on what that
 * write returned, not on the cache that has not caught up.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class CachedReadsTest {
  static final String NS = RolloutsDemoSubsetsTest.NS;
  static final String VS_PATH = "/apis/networking.istio.io/v1alpha3/namespaces/" + NS + "/virtualservices/rollouts-demo-vs2";
  static final String VS = "PUT " + VS_PATH;
  static final String DR = "PUT /apis/networking.istio.io/v1alpha3/namespaces/" + NS + "/destinationrules/rollout-destrule";
  /** A GET of one object by name (not a list or a watch, which carry no name in their path). */
  static final Pattern SINGLE_READ = Pattern.compile("GET /api.*/namespaces/[^/]+/[a-z]+/[^/?]+");

  KubernetesMockServer server;
  MockCluster cluster;
  KubernetesClient routerClient;
  IstioTrafficRouter router;
  /** The informer watches the router's client has asked for, by resource plural. */
  final Set<String> watchesAsked = ConcurrentHashMap.newKeySet();
  /** Once set, another writer edits the VirtualService right before the router's next write of it. */
  final AtomicBoolean raced = new AtomicBoolean();
  final AtomicInteger racedEdits = new AtomicInteger();
  /** While set, the router's VirtualService informer hears of no change: its watches and later lists go nowhere. */
  final AtomicBoolean freezeVirtualServices = new AtomicBoolean();
  final AtomicInteger virtualServiceLists = new AtomicInteger();

  @BeforeEach
  void seed() {
    cluster = new MockCluster(server).seedScenario("rollouts-demo-subsets");
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

  private IstioTrafficRouter router() {
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
        if (freezeVirtualServices.get() && collection && plural.equals("virtualservices")
            && (query.contains("watch=true") || virtualServiceLists.incrementAndGet() > 1)) {
          builder.uri(URI.create(server.url("/frozen")));
        }
        if ("PUT".equals(request.method()) && path.equals(VS_PATH) && raced.getAndSet(false)) {
          int edit = racedEdits.incrementAndGet();
          cluster.editAsAnotherWriter("VirtualService", NS, "rollouts-demo-vs2",
              vs -> Trees.put(vs, edit + "s", "spec", "http", 0, "timeout"));
        }
      }
    };
    routerClient = MockCluster.client(server, http -> http.addOrReplaceInterceptor("test", interceptor));
    router = IstioTrafficRouter.create(routerClient);
    return router;
  }

  @Test
  void aWholeRolloutSendsNoGetOfARoutingObjectOnceTheCachesHoldThem() {
    IstioTrafficRouter router = router();
    assertThat(router.validate(RolloutsDemoSubsetsTest.SPEC)).isEmpty();
    awaitWatches("virtualservices", "destinationrules");
    cluster.skipRequests();

    List<String> requests = new ArrayList<>();
    try (AutoCloseable drift = router.watchRouting(RolloutsDemoSubsetsTest.SPEC, weights -> {})) {
      for (int weight = 10; weight <= 100; weight += 10) {
        router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(weight));
        router.confirmation(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(weight));
        router.currentWeights(RolloutsDemoSubsetsTest.SPEC);
        requests.addAll(cluster.takeRequests());
      }
      router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.promoted());
      router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.released());
      requests.addAll(cluster.takeRequests());
    } catch (Exception e) {
      throw new AssertionError(e);
    }

    assertThat(requests).filteredOn(r -> SINGLE_READ.matcher(r).matches()).isEmpty();
    // each write carried the resourceVersion of the router's last write: none was refused and sent again
    assertThat(requests).filteredOn(r -> r.equals(VS)).hasSize(11);
    assertThat(requests).filteredOn(r -> r.equals(DR)).hasSize(3);
    Map<String, Object> expected = cluster.seeded("VirtualService", NS, "rollouts-demo-vs2");
    assertThat(cluster.read("VirtualService", NS, "rollouts-demo-vs2")).isEqualTo(expected);
  }

  @Test
  void aSetWeightToTheWeightInForceSendsNoWrite() {
    IstioTrafficRouter router = router();
    router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(30));
    awaitWatches("virtualservices", "destinationrules");
    cluster.skipRequests();

    router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(30));
    router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(30));

    assertThat(cluster.takeRequests()).filteredOn(r -> !r.startsWith("GET ") || SINGLE_READ.matcher(r).matches()).isEmpty();
  }

  @Test
  void aWriteOverAStaleCopyIsRefusedReReadAndLandsKeepingTheOtherWritersTimeout() {
    IstioTrafficRouter router = router();
    router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(20));
    awaitWatches("virtualservices", "destinationrules");
    cluster.skipRequests();

    raced.set(true);
    router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(40));

    List<String> requests = cluster.takeRequests();
    assertThat(racedEdits).hasValue(1);
    Map<String, Object> expected = cluster.seeded("VirtualService", NS, "rollouts-demo-vs2");
    Trees.put(expected, "1s", "spec", "http", 0, "timeout");
    Trees.putWeights(expected, 60, 40, "spec", "http", 0);
    assertThat(cluster.read("VirtualService", NS, "rollouts-demo-vs2")).isEqualTo(expected);
    // the other writer's read and write come first; then the router's refused write, its one re-read, its write
    assertThat(requests).filteredOn(r -> r.endsWith(VS_PATH))
        .containsExactly("GET " + VS_PATH, VS, VS, "GET " + VS_PATH, VS);
  }

  @Test
  void aWriteRightAfterTheRoutersOwnBuildsOnWhatThatWriteReturnedNotOnTheLaggingCache() {
    freezeVirtualServices.set(true);
    IstioTrafficRouter router = router();
    assertThat(router.validate(RolloutsDemoSubsetsTest.SPEC)).isEmpty();
    awaitWatches("virtualservices", "destinationrules");
    cluster.skipRequests();

    // the VirtualService informer still holds the seed (weights 100/0) after each of these writes
    router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(20));
    router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(50));
    // back to what the stale cache shows: a write all the same, or the 50 would stay
    router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingState.builder().canaryWeight(0)
        .stableLabels(RoutingStates.STABLE_LABELS).canaryLabels(RoutingStates.CANARY_LABELS).managedLabelKeys(RoutingStates.KEYS).build());

    List<String> requests = cluster.takeRequests();
    // no write was refused for a stale resourceVersion (a refusal is answered with a re-read)
    assertThat(requests).filteredOn(r -> SINGLE_READ.matcher(r).matches()).isEmpty();
    assertThat(requests).filteredOn(r -> r.equals(VS)).hasSize(3);
    assertThat(Trees.get(cluster.read("VirtualService", NS, "rollouts-demo-vs2"), "spec", "http", 0, "route", 0, "weight"))
        .isEqualTo(100);
    assertThat(router.currentWeights(RolloutsDemoSubsetsTest.SPEC)).extracting(w -> w.canaryWeight()).containsExactly(0);
  }

  /** Waits until the router's informers have listed (they ask for their watch right after the first list). */
  private void awaitWatches(String... plurals) {
    Await.until("the router's informers listing " + List.of(plurals), () -> watchesAsked.containsAll(List.of(plurals)));
  }
}
