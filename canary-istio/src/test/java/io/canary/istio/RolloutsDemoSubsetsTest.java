package io.canary.istio;

import static io.canary.istio.RoutingStates.CANARY_LABELS;
import static io.canary.istio.RoutingStates.STABLE_HASH;
import static io.canary.istio.RoutingStates.STABLE_LABELS;
import static io.canary.istio.RoutingStates.during;
import static io.canary.istio.RoutingStates.promoted;
import static io.canary.istio.RoutingStates.released;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Step;
import io.canary.istio.IstioStrategy;
import io.canary.istio.VirtualServiceRef;
import io.canary.core.WorkloadRef;
import io.canary.core.spi.RouteWeight;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Seed rollouts-demo-subsets: subset strategy, one named route, the plan stepped from 20 to promotion and release. */
@EnableKubernetesMockClient(crud = true, https = false)
class RolloutsDemoSubsetsTest {
  static final String NS = "istio-argo-rollouts";

  static final CanarySpec SPEC = CanarySpec.builder()
      .name("rollouts-demo")
      .namespace(NS)
      .target(WorkloadRef.deployment("rollouts-demo-deployment"))
      .revision(NewRevision.image("rollouts-demo", "argoproj/rollouts-demo:red"))
      .traffic(IstioStrategy.subsets("rollouts-demo-svc", "rollout-destrule", VirtualServiceRef.of("rollouts-demo-vs2", "route-one")))
      .addSteps(Step.setWeight(20), Step.pause(), Step.setWeight(40), Step.pause(Duration.ofSeconds(10)),
          Step.setWeight(60), Step.pause(Duration.ofSeconds(10)), Step.setWeight(80), Step.pause(Duration.ofSeconds(10)))
      .build();

  KubernetesMockServer server;
  MockCluster cluster;
  IstioTrafficRouter router;

  @BeforeEach
  void seed() {
    cluster = new MockCluster(server).seedScenario("rollouts-demo-subsets");
    router = IstioTrafficRouter.create(cluster.client());
  }

  @Test
  void stepsThePlanChangingOnlyWeightsAndSubsetLabels() {
    assertThat(router.validate(SPEC)).isEmpty();
    for (int weight : List.of(20, 40, 60, 80)) {
      router.apply(SPEC, during(weight));

      assertThat(cluster.read("VirtualService", NS, "rollouts-demo-vs2")).isEqualTo(expectedVirtualService(weight));
      assertThat(cluster.read("DestinationRule", NS, "rollout-destrule"))
          .isEqualTo(expectedDestinationRule(STABLE_LABELS, CANARY_LABELS));
      assertThat(router.currentWeights(SPEC))
          .containsExactly(new RouteWeight("VirtualService " + NS + "/rollouts-demo-vs2", "http route 'route-one'", 100 - weight, weight));
    }
  }

  @Test
  void promotionSwitchesStableToTheCanaryLabelsAndReleaseGivesTheSeedBack() {
    router.apply(SPEC, during(80));

    router.apply(SPEC, promoted());
    assertThat(cluster.read("VirtualService", NS, "rollouts-demo-vs2")).isEqualTo(expectedVirtualService(0));
    assertThat(cluster.read("DestinationRule", NS, "rollout-destrule"))
        .isEqualTo(expectedDestinationRule(CANARY_LABELS, CANARY_LABELS));

    router.apply(SPEC, released());
    assertThat(cluster.read("VirtualService", NS, "rollouts-demo-vs2")).isEqualTo(cluster.seeded("VirtualService", NS, "rollouts-demo-vs2"));
    assertThat(cluster.read("DestinationRule", NS, "rollout-destrule")).isEqualTo(cluster.seeded("DestinationRule", NS, "rollout-destrule"));
  }

  @Test
  void labelsAreWrittenBeforeTheWeightsThatNeedThemAndReleasedAfterTheWeightsMovedAway() {
    router.apply(SPEC, during(20));
    assertThat(cluster.takeWrites()).containsExactly(
        "PUT /apis/networking.istio.io/v1alpha3/namespaces/" + NS + "/destinationrules/rollout-destrule",
        "PUT /apis/networking.istio.io/v1alpha3/namespaces/" + NS + "/virtualservices/rollouts-demo-vs2");

    router.apply(SPEC, released());
    assertThat(cluster.takeWrites()).containsExactly(
        "PUT /apis/networking.istio.io/v1alpha3/namespaces/" + NS + "/virtualservices/rollouts-demo-vs2",
        "PUT /apis/networking.istio.io/v1alpha3/namespaces/" + NS + "/destinationrules/rollout-destrule");
  }

  @Test
  void currentWeightsSeesAnOutOfBandChangeAndTheNextApplyPutsTheOwnedWeightsBack() {
    router.apply(SPEC, during(40));
    cluster.editAsAnotherWriter("VirtualService", NS, "rollouts-demo-vs2", vs -> {
      Trees.putWeights(vs, 100, 0, "spec", "http", 0);
    });

    // the weights as the router's informer holds them, once it has heard of the change
    Await.until("the router seeing the change", () -> router.currentWeights(SPEC).get(0).canaryWeight() == 0);
    assertThat(router.currentWeights(SPEC)).extracting(RouteWeight::stableWeight, RouteWeight::canaryWeight)
        .containsExactly(tuple(100, 0));

    router.apply(SPEC, during(40));
    assertThat(cluster.read("VirtualService", NS, "rollouts-demo-vs2")).isEqualTo(expectedVirtualService(40));
  }

  @Test
  void renderShowsTheObjectsAsApplyWouldWriteThemAndWritesNothing() {
    var rendered = router.render(SPEC, during(40));

    assertThat(cluster.takeWrites()).isEmpty();
    assertThat(rendered).extracting(r -> r.kind() + " " + r.name())
        .containsExactly("DestinationRule " + NS + "/rollout-destrule", "VirtualService " + NS + "/rollouts-demo-vs2");
    assertThat(rendered.get(1).yaml()).contains("weight: 60", "weight: 40", "name: \"route-one\"");
    assertThat(rendered.get(0).yaml()).contains("pod-template-hash: \"" + STABLE_HASH + "\"");
    assertThat(cluster.read("VirtualService", NS, "rollouts-demo-vs2")).isEqualTo(cluster.seeded("VirtualService", NS, "rollouts-demo-vs2"));
  }

  private Map<String, Object> expectedVirtualService(int canaryWeight) {
    Map<String, Object> vs = cluster.seeded("VirtualService", NS, "rollouts-demo-vs2");
    Trees.putWeights(vs, 100 - canaryWeight, canaryWeight, "spec", "http", 0);
    return vs;
  }

  /** The seed's subsets (canary first, then stable) with the revision labels added to the user's. */
  private Map<String, Object> expectedDestinationRule(Map<String, String> stable, Map<String, String> canary) {
    Map<String, Object> dr = cluster.seeded("DestinationRule", NS, "rollout-destrule");
    Trees.put(dr, withApp(canary), "spec", "subsets", 0, "labels");
    Trees.put(dr, withApp(stable), "spec", "subsets", 1, "labels");
    return dr;
  }

  private static Map<String, Object> withApp(Map<String, String> revision) {
    Map<String, Object> labels = new java.util.LinkedHashMap<>();
    labels.put("app", "rollouts-demo");
    labels.putAll(revision);
    return labels;
  }
}
