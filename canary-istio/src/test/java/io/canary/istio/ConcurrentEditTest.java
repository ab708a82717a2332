package io.canary.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.CanaryException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Another writer changes the VirtualService after the router read it and before its write reaches the
 * server: the router's write is refused (stale resourceVersion), it re-reads, re-applies only its own
 * fields, and the other writer's change survives.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class ConcurrentEditTest {
  static final String NS = RolloutsDemoSubsetsTest.NS;
  static final String VS_PATH = "/apis/networking.istio.io/v1alpha3/namespaces/" + NS + "/virtualservices/rollouts-demo-vs2";

  KubernetesMockServer server;
  MockCluster cluster;
  KubernetesClient racedClient;

  @BeforeEach
  void seed() {
    cluster = new MockCluster(server).seedScenario("rollouts-demo-subsets");
  }

  @AfterEach
  void closeRacedClient() {
    if (racedClient != null) {
      racedClient.close();
    }
  }

  /** A client whose writes of the VirtualService are each preceded by an edit of another writer, {@code times} times. */
  private KubernetesClient clientRacedBy(int times, AtomicInteger edits) {
    Interceptor anotherWriter = new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, Interceptor.RequestTags tags) {
        if ("PUT".equals(request.method()) && request.uri().getPath().equals(VS_PATH) && edits.get() < times) {
          int edit = edits.incrementAndGet();
          cluster.editAsAnotherWriter("VirtualService", NS, "rollouts-demo-vs2", vs -> addUserRoute(vs, "hotfix-" + edit));
        }
      }
    };
    racedClient = MockCluster.client(server, http -> http.addOrReplaceInterceptor("another-writer", anotherWriter));
    return racedClient;
  }

  @Test
  void aConcurrentEditIsReReadAndOnlyTheOwnedFieldsAreReApplied() {
    AtomicInteger edits = new AtomicInteger();
    IstioTrafficRouter router = IstioTrafficRouter.create(clientRacedBy(1, edits));

    router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(40));

    assertThat(edits).hasValue(1);
    Map<String, Object> expected = cluster.seeded("VirtualService", NS, "rollouts-demo-vs2");
    addUserRoute(expected, "hotfix-1");
    Trees.putWeights(expected, 60, 40, "spec", "http", 0);
    assertThat(cluster.read("VirtualService", NS, "rollouts-demo-vs2")).isEqualTo(expected);
    // the other writer's PUT, the router's refused PUT, the router's PUT on the fresh object
    assertThat(cluster.takeWrites()).filteredOn(w -> w.endsWith(VS_PATH)).hasSize(3);
  }

  @Test
  void editsThatOutlastTheRetriesFailClearlyWithoutClobberingTheOtherWriter() {
    AtomicInteger edits = new AtomicInteger();
    IstioTrafficRouter router = IstioTrafficRouter.builder(clientRacedBy(Integer.MAX_VALUE, edits)).conflictRetries(2).build();

    assertThatThrownBy(() -> router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(40)))
        .isInstanceOf(CanaryException.class)
        .hasMessageContaining("VirtualService " + NS + "/rollouts-demo-vs2: someone else kept changing it")
        .hasMessageContaining("gave up after 3 attempts");

    assertThat(edits).hasValue(3);
    Map<String, Object> expected = cluster.seeded("VirtualService", NS, "rollouts-demo-vs2");
    addUserRoute(expected, "hotfix-1");
    addUserRoute(expected, "hotfix-2");
    addUserRoute(expected, "hotfix-3");
    assertThat(cluster.read("VirtualService", NS, "rollouts-demo-vs2")).isEqualTo(expected);
  }

  private static void addUserRoute(Map<String, Object> vs, String name) {
    Map<String, Object> route = Map.of("name", name, "route", List.of(Map.of("destination", Map.of("host", "hotfix-svc"))));
    Trees.editList(vs, http -> http.add(route), "spec", "http");
  }
}
