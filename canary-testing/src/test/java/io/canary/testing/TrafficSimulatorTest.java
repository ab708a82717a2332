package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanarySpec;
import io.canary.core.Revision;
import io.canary.core.spi.TrafficSample;
import io.canary.core.time.VirtualScheduler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@CanarySimulation(podStartupSeconds = 5)
class TrafficSimulatorTest {
  static final String MESH = """
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec:
        selector: {app: web}
        ports: [{name: http, port: 80}]
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web-stable, namespace: shop}
      spec:
        replicas: 4
        selector: {matchLabels: {app: web, version: v1}}
        template:
          metadata: {labels: {app: web, version: v1}}
          spec:
            containers: [{name: web, image: "shop/web:1", resources: {requests: {cpu: 100m}}}]
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web-canary, namespace: shop}
      spec:
        replicas: 1
        selector: {matchLabels: {app: web, version: v2}}
        template:
          metadata: {labels: {app: web, version: v2}}
          spec:
            containers: [{name: web, image: "shop/web:2", resources: {requests: {cpu: 100m}}}]
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: other, namespace: shop}
      spec:
        replicas: 2
        selector: {matchLabels: {app: other, version: v2}}
        template:
          metadata: {labels: {app: other, version: v2}}
          spec:
            containers: [{name: other, image: "shop/other:1"}]
      ---
      apiVersion: networking.istio.io/v1alpha3
      kind: DestinationRule
      metadata: {name: web, namespace: shop}
      spec:
        host: web.shop.svc.cluster.local
        subsets:
        - {name: stable, labels: {version: v1}}
        - {name: canary, labels: {version: v2}}
      ---
      apiVersion: networking.istio.io/v1alpha3
      kind: VirtualService
      metadata: {name: web, namespace: shop}
      spec:
        hosts: [web]
        http:
        - name: beta-testers
          match:
          - headers:
              cookie:
                regex: "^(.*?;)?(email=[^;]*@some-company-name.com)(;.*)?$"
          route:
          - destination: {host: web, subset: canary}
        - name: primary
          route:
          - destination: {host: web, subset: stable}
            weight: 80
          - destination: {host: web.shop, subset: canary}
            weight: 20
      """;

  @BeforeEach
  void load(SimulatedCluster sim) {
    sim.load(MESH);
    sim.advance(Duration.ofSeconds(5)); // pods ready
  }

  private static TrafficSample served(TrafficSimulator traffic, String image, Instant from, Instant to) {
    return traffic.sampleByImage(image, from, to);
  }

  @Test
  void weightsSplitTheRequestsOfTheFirstMatchingRoute(SimulatedCluster sim, TrafficSimulator traffic,
      VirtualScheduler clock) {
    traffic.flow("users").to("shop", "web").rate(100);
    Instant start = clock.now();
    sim.advance(Duration.ofMinutes(10));

    assertThat(served(traffic, "shop/web:1", start, clock.now()).requests()).isEqualTo(48_000);
    assertThat(served(traffic, "shop/web:2", start, clock.now()).requests()).isEqualTo(12_000);
    assertThat(served(traffic, "shop/other:1", start, clock.now()).requests()).isZero();
  }

  @Test
  void usersWithTheCompanyCookieMatchTheHeaderRoute(SimulatedCluster sim, TrafficSimulator traffic,
      VirtualScheduler clock) {
    traffic.flow("users").to("shop", "web").rate(100)
        .users(UserGroup.withCookie("staff", 0.1, "email", "jane@some-company-name.com"),
            UserGroup.withCookie("customers", 0.2, "email", "joe@example.org"));
    Instant start = clock.now();
    sim.advance(Duration.ofMinutes(10));

    // staff (10%) all to canary; everybody else (90%) by weight: 20% of it to canary
    assertThat(served(traffic, "shop/web:2", start, clock.now()).requests()).isEqualTo(6_000 + 10_800);
    assertThat(served(traffic, "shop/web:1", start, clock.now()).requests()).isEqualTo(43_200);
  }

  @Test
  void routingFollowsTheVirtualServiceAsTheServerHoldsItNow(SimulatedCluster sim, KubernetesClient client,
      TrafficSimulator traffic, VirtualScheduler clock) {
    traffic.flow("users").to("shop", "web").rate(10);
    client.resources(io.fabric8.istio.api.networking.v1alpha3.VirtualService.class).inNamespace("shop")
        .withName("web").edit(vs -> {
          vs.getSpec().getHttp().get(1).getRoute().get(0).setWeight(50);
          vs.getSpec().getHttp().get(1).getRoute().get(1).setWeight(50);
          return vs;
        });
    Instant start = clock.now();
    sim.advance(Duration.ofMinutes(1));

    assertThat(served(traffic, "shop/web:1", start, clock.now()).requests()).isEqualTo(300);
    assertThat(served(traffic, "shop/web:2", start, clock.now()).requests()).isEqualTo(300);
  }

  @Test
  void aDestinationWithoutReadyPodsAnswers503(SimulatedCluster sim, KubernetesClient client,
      TrafficSimulator traffic, VirtualScheduler clock) {
    traffic.flow("users").to("shop", "web").rate(100);
    client.apps().deployments().inNamespace("shop").withName("web-canary").scale(0);
    Instant start = clock.now();
    sim.advance(Duration.ofMinutes(1));

    FlowStats stats = traffic.flowStats("users", start, clock.now());
    assertThat(stats.requests()).isEqualTo(6_000);
    assertThat(stats.unavailable()).isEqualTo(1_200);
    assertThat(stats.errors()).isEqualTo(1_200);
    assertThat(served(traffic, "shop/web:2", start, clock.now()).requests()).isZero();
  }

  @Test
  void newPodsTakeTrafficOnlyOnceReady(SimulatedCluster sim, KubernetesClient client, TrafficSimulator traffic,
      VirtualScheduler clock) {
    traffic.flow("users").to("shop", "web").rate(100);
    client.apps().deployments().inNamespace("shop").withName("web-canary").scale(0);
    sim.advance(Duration.ofSeconds(10));
    client.apps().deployments().inNamespace("shop").withName("web-canary").scale(2);
    Instant scaled = clock.now();
    sim.advance(Duration.ofSeconds(5)); // the start-up delay
    assertThat(traffic.flowStats("users", scaled, clock.now()).unavailable()).isEqualTo(80); // 20 req/s to the canary, 4 ticks without a ready pod
    Instant ready = clock.now();
    sim.advance(Duration.ofSeconds(10));
    assertThat(traffic.flowStats("users", ready, clock.now()).unavailable()).isZero();
  }

  @Test
  void behaviourDecidesErrorsAndLatencyPerRevision(SimulatedCluster sim, TrafficSimulator traffic,
      VirtualScheduler clock) {
    traffic.flow("users").to("shop", "web").rate(100);
    traffic.behaviour(PodMatcher.image("shop/web:2"),
        Behaviour.builder().errorRate(0.25).latencyP99(Duration.ofMillis(900)).build());
    Instant start = clock.now();
    sim.advance(Duration.ofMinutes(1));

    TrafficSample canary = served(traffic, "shop/web:2", start, clock.now());
    TrafficSample stable = served(traffic, "shop/web:1", start, clock.now());
    assertThat(canary.requests()).isEqualTo(1_200);
    assertThat(canary.errors()).isEqualTo(300);
    assertThat(canary.latencyP99Millis()).isEqualTo(900.0);
    assertThat(stable.errors()).isZero();
    assertThat(stable.latencyP99Millis()).isEqualTo(100.0);

    // behaviour changes over time: the canary is fixed from now on
    traffic.behaviour(PodMatcher.image("shop/web:2"), Behaviour.healthy());
    Instant fixed = clock.now();
    sim.advance(Duration.ofMinutes(1));
    assertThat(served(traffic, "shop/web:2", fixed, clock.now()).errors()).isZero();
  }

  @Test
  void metricSourceAnswersForARevisionByWorkloadAndPodLabels(SimulatedCluster sim, TrafficSimulator traffic,
      VirtualScheduler clock) {
    traffic.flow("users").to("shop", "web").rate(100);
    traffic.behaviour(PodMatcher.labels(Map.of("version", "v2")), Behaviour.builder().errorRate(0.1).build());
    Instant start = clock.now();
    sim.advance(Duration.ofMinutes(1));

    CanarySpec spec = CanarySpec.builder()
        .name("web").namespace("shop")
        .target(io.canary.core.WorkloadRef.deployment("web-stable"))
        .revision(io.canary.core.NewRevision.existingWorkload("web-canary"))
        .traffic(io.canary.core.memory.InMemoryStrategy.of("primary"))
        .addSteps(io.canary.core.Step.setWeight(50))
        .build();
    TrafficSample canary = traffic.metricSource()
        .query(spec, new Revision("web-canary", "any", Map.of("version", "v2")), start, clock.now());
    TrafficSample stable = traffic.metricSource()
        .query(spec, new Revision("web-stable", "any", Map.of()), start, clock.now());
    TrafficSample wrongLabels = traffic.metricSource()
        .query(spec, new Revision("web-stable", "any", Map.of("version", "v2")), start, clock.now());

    assertThat(canary.requests()).isEqualTo(1_200);
    assertThat(canary.errors()).isEqualTo(120);
    assertThat(stable.requests()).isEqualTo(4_800);
    assertThat(stable.errors()).isZero();
    assertThat(wrongLabels.requests()).isZero();
  }

  @Test
  void mirroredRequestsAreCountedApart(SimulatedCluster sim, KubernetesClient client, TrafficSimulator traffic,
      VirtualScheduler clock) {
    sim.load("""
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata: {name: mirrored, namespace: shop}
        spec:
          hosts: [mirrored.example.com]
          http:
          - name: main
            route:
            - destination: {host: web, subset: stable}
            mirror: {host: web, subset: canary}
            mirrorPercentage: {value: 50.0}
        """);
    traffic.flow("mirrored").to("shop", "mirrored.example.com").rate(10);
    Instant start = clock.now();
    sim.advance(Duration.ofMinutes(1));

    assertThat(served(traffic, "shop/web:1", start, clock.now()).requests()).isEqualTo(600);
    assertThat(served(traffic, "shop/web:2", start, clock.now()).requests()).isZero();
    assertThat(traffic.flowStats("mirrored", start, clock.now()).mirrored()).isEqualTo(300);
  }

  @Test
  void withoutAVirtualServiceTheServiceSelectorSpreadsOverAllItsReadyPods(SimulatedCluster sim,
      TrafficSimulator traffic, VirtualScheduler clock) {
    traffic.flow("direct").to("shop", "web.shop.svc.cluster.local").rate(50);
    sim.load("""
        apiVersion: v1
        kind: Service
        metadata: {name: web-all, namespace: shop}
        spec:
          selector: {app: web}
        """);
    traffic.flow("direct").to("shop", "web-all.shop.svc.cluster.local");
    Instant start = clock.now();
    sim.advance(Duration.ofMinutes(1));

    // 4 stable pods and 1 canary pod behind the selector app=web; "other" pods are not selected
    assertThat(served(traffic, "shop/web:1", start, clock.now()).requests()).isEqualTo(2_400);
    assertThat(served(traffic, "shop/web:2", start, clock.now()).requests()).isEqualTo(600);
    assertThat(served(traffic, "shop/other:1", start, clock.now()).requests()).isZero();
  }

  @Test
  void uriMatchesPickTheirRouteAndWhatNoRouteMatchesIsNotRouted(SimulatedCluster sim, TrafficSimulator traffic,
      VirtualScheduler clock) {
    sim.load("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: api, namespace: shop}
        spec:
          hosts: [api.example.com]
          http:
          - name: v2-api
            match: [{uri: {prefix: /v2/}}]
            route: [{destination: {host: web, subset: canary}}]
          - name: v1-api
            match: [{uri: {exact: /v1/orders}}]
            route: [{destination: {host: web, subset: stable}}]
        """);
    traffic.flow("v2").to("shop", "api.example.com").uri("/v2/orders").rate(10);
    traffic.flow("v1").to("shop", "api.example.com").uri("/v1/orders").rate(10);
    traffic.flow("other").to("shop", "api.example.com").uri("/v3/orders").rate(10);
    Instant start = clock.now();
    sim.advance(Duration.ofSeconds(10));

    assertThat(served(traffic, "shop/web:2", start, clock.now()).requests()).isEqualTo(100);
    assertThat(served(traffic, "shop/web:1", start, clock.now()).requests()).isEqualTo(100);
    assertThat(traffic.flowStats("other", start, clock.now()).notRouted()).isEqualTo(100);
  }

  @Test
  void anUnknownHostIsNotRouted(SimulatedCluster sim, TrafficSimulator traffic, VirtualScheduler clock) {
    traffic.flow("lost").to("shop", "nowhere").rate(10);
    Instant start = clock.now();
    sim.advance(Duration.ofSeconds(10));
    assertThat(traffic.flowStats("lost", start, clock.now()).notRouted()).isEqualTo(100);
  }
}
