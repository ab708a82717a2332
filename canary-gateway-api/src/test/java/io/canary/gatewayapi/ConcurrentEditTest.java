package io.canary.gatewayapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.CanaryException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Another writer changes the HTTPRoute after the router read it and before its write arrives: the
 * write is refused (stale resourceVersion), the router re-reads, re-applies only its own fields, and
 * the other writer's change survives.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class ConcurrentEditTest {
  static final String ROUTE_PATH = "/apis/gateway.networking.k8s.io/v1/namespaces/nsa/httproutes/appa";

  KubernetesMockServer server;
  ApiServer cluster;
  KubernetesClient racedClient;

  @BeforeEach
  void seed() {
    cluster = new ApiServer(server).seedScenario("appA-gateway-api");
  }

  @AfterEach
  void closeRacedClient() {
    if (racedClient != null) {
      racedClient.close();
    }
  }

  /** A client whose writes of the HTTPRoute are each preceded by another writer's edit, {@code times} times. */
  private KubernetesClient clientRacedBy(int times, AtomicInteger edits) {
    Interceptor anotherWriter = new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, Interceptor.RequestTags tags) {
        if ("PUT".equals(request.method()) && request.uri().getPath().equals(ROUTE_PATH) && edits.get() < times) {
          int edit = edits.incrementAndGet();
          cluster.editAsAnotherWriter("HTTPRoute", "nsa", "appa", route -> addUserRule(route, "hotfix-" + edit));
        }
      }
    };
    racedClient = ApiServer.client(server, http -> http.addOrReplaceInterceptor("another-writer", anotherWriter));
    return racedClient;
  }

  @Test
  void aConcurrentEditIsReReadAndOnlyTheOwnedFieldsAreReApplied() {
    AtomicInteger edits = new AtomicInteger();
    GatewayApiTrafficRouter router = GatewayApiTrafficRouter.builder(clientRacedBy(1, edits)).confirmation(ConfirmationPolicy.OFF).build();

    router.apply(AppAGatewayApiScenarioTest.SPEC, States.during(40));

    assertThat(edits).hasValue(1);
    Map<String, Object> expected = cluster.seeded("HTTPRoute", "nsa", "appa");
    addUserRule(expected, "hotfix-1");
    Trees.putWeights(expected, 0, 60, 40);
    assertThat(cluster.read("HTTPRoute", "nsa", "appa")).isEqualTo(expected);
    // the other writer's PUT, the router's refused PUT, the router's PUT on the fresh object
    assertThat(cluster.takeWrites()).filteredOn(w -> w.endsWith(ROUTE_PATH)).hasSize(3);
  }

  @Test
  void editsThatOutlastTheRetriesFailClearlyWithoutClobberingTheOtherWriter() {
    AtomicInteger edits = new AtomicInteger();
    GatewayApiTrafficRouter router = GatewayApiTrafficRouter.builder(clientRacedBy(Integer.MAX_VALUE, edits))
        .confirmation(ConfirmationPolicy.OFF).conflictRetries(2).build();

    assertThatThrownBy(() -> router.apply(AppAGatewayApiScenarioTest.SPEC, States.during(40)))
        .isInstanceOf(CanaryException.class)
        .hasMessageContaining("HTTPRoute nsa/appa: someone else kept changing it")
        .hasMessageContaining("gave up after 3 attempts");

    assertThat(edits).hasValue(3);
    Map<String, Object> expected = cluster.seeded("HTTPRoute", "nsa", "appa");
    addUserRule(expected, "hotfix-1");
    addUserRule(expected, "hotfix-2");
    addUserRule(expected, "hotfix-3");
    assertThat(cluster.read("HTTPRoute", "nsa", "appa")).isEqualTo(expected);
  }

  /** Another team's rule, appended after the user's rules. */
  private static void addUserRule(Map<String, Object> route, String name) {
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("name", name);
    rule.put("matches", List.of(Map.of("path", Map.of("type", "PathPrefix", "value", "/" + name))));
    rule.put("backendRefs", List.of(Map.of("name", "hotfix", "port", 80)));
    Trees.editList(route, rules -> rules.add(rule), "spec", "rules");
  }
}
