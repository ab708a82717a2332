package io.canary.istio;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The writes of a whole rollout, counted on the server: one per routing object that changes. */
@EnableKubernetesMockClient(crud = true, https = false)
class RequestCountTest {
  static final String NS = RolloutsDemoSubsetsTest.NS;
  static final String VS = "PUT /apis/networking.istio.io/v1alpha3/namespaces/" + NS + "/virtualservices/rollouts-demo-vs2";
  static final String DR = "PUT /apis/networking.istio.io/v1alpha3/namespaces/" + NS + "/destinationrules/rollout-destrule";

  KubernetesMockServer server;
  MockCluster cluster;
  IstioTrafficRouter router;

  @BeforeEach
  void seed() {
    cluster = new MockCluster(server).seedScenario("rollouts-demo-subsets");
    router = IstioTrafficRouter.create(cluster.client());
  }

  @Test
  void aWholeRolloutWritesEachRoutingObjectOnceForEachChangeItCarries() {
    router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(20));
    assertThat(cluster.takeWrites()).containsExactly(DR, VS);

    for (int weight : List.of(40, 60, 80)) {
      router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(weight));
      List<String> requests = cluster.takeRequests();
      // the objects come from the router's informers (CachedReadsTest counts the reads)
      assertThat(requests).filteredOn(r -> !r.startsWith("GET ")).containsExactly(VS);
    }

    router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.promoted());
    assertThat(cluster.takeWrites()).containsExactly(DR, VS);

    // the weights are already 0 after the promotion: the release only gives the subset labels back
    router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.released());
    assertThat(cluster.takeWrites()).containsExactly(DR);
  }

  @Test
  void applyingTheStateTheObjectsAlreadyCarryWritesNothing() {
    router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(60));
    cluster.skipRequests();

    router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(60));

    assertThat(cluster.takeWrites()).isEmpty();
  }
}
