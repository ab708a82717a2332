package io.canary.istio;

import static io.canary.istio.RoutingStates.CANARY_LABELS;
import static io.canary.istio.RoutingStates.STABLE_LABELS;
import static io.canary.istio.RoutingStates.during;
import static io.canary.istio.RoutingStates.promoted;
import static io.canary.istio.RoutingStates.released;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Step;
import io.canary.istio.IstioStrategy;
import io.canary.istio.VirtualServiceRef;
import io.canary.core.WorkloadRef;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Seeds appA-services and imesh-services: the service strategy, with the two Services' selectors owned too. */
@EnableKubernetesMockClient(crud = true, https = false)
class ServiceStrategyScenariosTest {

  KubernetesMockServer server;

  @Test
  void appAStepsTwentyToEightyThenPromotesAndReleasesChangingOnlyWeightsAndSelectors() {
    MockCluster cluster = new MockCluster(server).seedScenario("appA-services");
    IstioTrafficRouter router = IstioTrafficRouter.create(cluster.client());
    CanarySpec spec = CanarySpec.builder()
        .name("appa")
        .namespace("nsa")
        .target(WorkloadRef.deployment("appa"))
        .revision(NewRevision.image("appa", "example/appa:1.1.0"))
        .traffic(IstioStrategy.services("appa-stable-service", "appa-canary-service",
            VirtualServiceRef.of("virtual-service-appa", "appa-http-route")))
        .addSteps(Step.setWeight(20), Step.pause(Duration.ofMinutes(1)), Step.setWeight(40), Step.pause(Duration.ofMinutes(1)),
            Step.setWeight(60), Step.pause(Duration.ofMinutes(1)), Step.setWeight(80), Step.pause(Duration.ofMinutes(1)))
        .maxUnavailable("0")
        .maxSurge("3")
        .build();
    assertThat(router.validate(spec)).isEmpty();

    for (int weight : List.of(20, 40, 60, 80)) {
      router.apply(spec, during(weight));
      assertRouting(cluster, "nsa", "virtual-service-appa", "appa-stable-service", "appa-canary-service", weight,
          STABLE_LABELS, CANARY_LABELS);
    }

    router.apply(spec, promoted());
    assertRouting(cluster, "nsa", "virtual-service-appa", "appa-stable-service", "appa-canary-service", 0,
        CANARY_LABELS, CANARY_LABELS);

    router.apply(spec, released());
    assertRouting(cluster, "nsa", "virtual-service-appa", "appa-stable-service", "appa-canary-service", 0, Map.of(), Map.of());
  }

  static final CanarySpec IMESH = CanarySpec.builder()
      .name("imesh-rollout")
      .namespace("deb-ns")
      .target(WorkloadRef.deployment("imesh-rollout"))
      .revision(NewRevision.image("nginx", "nginx:1.15.5"))
      .traffic(IstioStrategy.services("stable-svc", "canary-svc", VirtualServiceRef.of("imesh-vsvc", "primary")))
      .addSteps(Step.setWeight(50), Step.pause(Duration.ofHours(1)))
      .build();

  @Test
  void imeshSetsFiftyThenPromotesAndReleases() {
    MockCluster cluster = new MockCluster(server).seedScenario("imesh-services");
    IstioTrafficRouter router = IstioTrafficRouter.create(cluster.client());
    assertThat(router.validate(IMESH)).isEmpty();

    router.apply(IMESH, during(50));
    assertRouting(cluster, "deb-ns", "imesh-vsvc", "stable-svc", "canary-svc", 50, STABLE_LABELS, CANARY_LABELS);

    router.apply(IMESH, promoted());
    assertRouting(cluster, "deb-ns", "imesh-vsvc", "stable-svc", "canary-svc", 0, CANARY_LABELS, CANARY_LABELS);

    router.apply(IMESH, released());
    assertRouting(cluster, "deb-ns", "imesh-vsvc", "stable-svc", "canary-svc", 0, Map.of(), Map.of());
  }

  @Test
  void imeshSetsFiftyThenAbortsBackToStableAndReleases() {
    MockCluster cluster = new MockCluster(server).seedScenario("imesh-services");
    IstioTrafficRouter router = IstioTrafficRouter.create(cluster.client());

    router.apply(IMESH, during(50));
    assertRouting(cluster, "deb-ns", "imesh-vsvc", "stable-svc", "canary-svc", 50, STABLE_LABELS, CANARY_LABELS);

    router.apply(IMESH, during(0));
    assertRouting(cluster, "deb-ns", "imesh-vsvc", "stable-svc", "canary-svc", 0,
        STABLE_LABELS, CANARY_LABELS);

    router.apply(IMESH, released());
    assertRouting(cluster, "deb-ns", "imesh-vsvc", "stable-svc", "canary-svc", 0, Map.of(), Map.of());
  }

  @Test
  void theServiceStrategyWritesBothServicesThenTheVirtualServiceOnTheFirstStepAndOnlyTheWeightsAfter() {
    MockCluster cluster = new MockCluster(server).seedScenario("appA-services");
    IstioTrafficRouter router = IstioTrafficRouter.create(cluster.client());
    CanarySpec spec = ValidationTest.appA(VirtualServiceRef.of("virtual-service-appa", "appa-http-route"));

    router.apply(spec, during(20));
    assertThat(cluster.takeWrites()).containsExactly(
        "PUT /api/v1/namespaces/nsa/services/appa-stable-service",
        "PUT /api/v1/namespaces/nsa/services/appa-canary-service",
        "PUT /apis/networking.istio.io/v1alpha3/namespaces/nsa/virtualservices/virtual-service-appa");

    router.apply(spec, during(40));
    assertThat(cluster.takeWrites()).containsExactly("PUT /apis/networking.istio.io/v1alpha3/namespaces/nsa/virtualservices/virtual-service-appa");
  }

  /**
   * The VirtualService and both Services equal their seeds but for the weights of the first http route
   * (stable destination first) and the revision labels added to each selector.
   */
  private static void assertRouting(MockCluster cluster, String ns, String virtualService, String stableService, String canaryService,
      int canaryWeight, Map<String, String> stableLabels, Map<String, String> canaryLabels) {
    Map<String, Object> vs = cluster.seeded("VirtualService", ns, virtualService);
    Trees.putWeights(vs, 100 - canaryWeight, canaryWeight, "spec", "http", 0);
    assertThat(cluster.read("VirtualService", ns, virtualService)).isEqualTo(vs);
    assertThat(cluster.read("Service", ns, stableService)).isEqualTo(withSelector(cluster.seeded("Service", ns, stableService), stableLabels));
    assertThat(cluster.read("Service", ns, canaryService)).isEqualTo(withSelector(cluster.seeded("Service", ns, canaryService), canaryLabels));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> withSelector(Map<String, Object> service, Map<String, String> added) {
    Map<String, Object> selector = new LinkedHashMap<>((Map<String, Object>) Trees.get(service, "spec", "selector"));
    selector.putAll(added);
    Trees.put(service, selector, "spec", "selector");
    return service;
  }
}
