package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.time.VirtualScheduler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@CanarySimulation(podStartupSeconds = 5)
class HpaControllerTest {
  static final String APP = """
      apiVersion: v1
      kind: Service
      metadata: {name: api, namespace: shop}
      spec:
        selector: {app: api}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: api, namespace: shop}
      spec:
        replicas: 2
        selector: {matchLabels: {app: api}}
        template:
          metadata: {labels: {app: api}}
          spec:
            containers: [{name: api, image: "shop/api:1", resources: {requests: {cpu: 100m}}}]
      ---
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: api, namespace: shop}
      spec:
        minReplicas: 1
        maxReplicas: 10
        scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
        metrics:
        - type: Resource
          resource:
            name: cpu
            target: {type: Utilization, averageUtilization: 50}
      """;

  @BeforeEach
  void load(SimulatedCluster sim) {
    sim.load(APP);
    sim.traffic().behaviour(PodMatcher.image("shop/api:1"),
        Behaviour.builder().cpuMillicoresPerRequest(1).build());
  }

  private static int replicas(KubernetesClient client) {
    return client.apps().deployments().inNamespace("shop").withName("api").get().getSpec().getReplicas();
  }

  /** Advances to the first HPA sync after now (syncs run every 15 s from the start). */
  private static void toNextSync(VirtualScheduler clock) {
    long s = clock.now().getEpochSecond();
    clock.advance(Duration.ofSeconds(15 - Math.floorMod(s, 15)));
  }

  @Test
  void scalesUpByTheDefaultPolicyThenSettlesWhereUtilizationMeetsTheTarget(SimulatedCluster sim,
      KubernetesClient client, TrafficSimulator traffic, VirtualScheduler clock) {
    traffic.flow("load").to("shop", "api").rate(400); // 400 millicores of work: 8 pods at 50%
    toNextSync(clock);
    // 15 s: the pods became ready at 5 s, less than a metrics window ago: not counted yet
    assertThat(replicas(client)).isEqualTo(2);
    toNextSync(clock); // 30 s: 2 pods at 200% want 8
    assertThat(replicas(client)).isEqualTo(6); // max(2 x 2, 2 + 4) in one period
    toNextSync(clock);
    // 45 s: the 4 new pods became ready at 35 s: they count as idle for a scale-up, which
    // cancels the scale-up the 2 busy pods alone would ask for
    assertThat(replicas(client)).isEqualTo(6);
    sim.advance(Duration.ofMinutes(3));
    assertThat(replicas(client)).isEqualTo(8);

    HorizontalPodAutoscaler hpa = client.autoscaling().v2().horizontalPodAutoscalers().inNamespace("shop")
        .withName("api").get();
    assertThat(hpa.getStatus().getDesiredReplicas()).isEqualTo(8);
    assertThat(hpa.getStatus().getCurrentReplicas()).isEqualTo(8);
    assertThat(hpa.getStatus().getCurrentMetrics()).singleElement()
        .satisfies(m -> assertThat(m.getResource().getCurrent().getAverageUtilization()).isEqualTo(50));
    assertThat(sim.hpaDesiredReplicas()).containsEntry("shop/api", 8);
  }

  @Test
  void neverGoesAboveMaxReplicas(SimulatedCluster sim, KubernetesClient client, TrafficSimulator traffic) {
    traffic.flow("load").to("shop", "api").rate(5_000);
    sim.advance(Duration.ofMinutes(5));
    assertThat(replicas(client)).isEqualTo(10);
  }

  @Test
  void scaleDownWaitsForTheFiveMinuteStabilizationWindow(SimulatedCluster sim, KubernetesClient client,
      TrafficSimulator traffic, VirtualScheduler clock) {
    traffic.flow("load").to("shop", "api").rate(1_000);
    sim.advance(Duration.ofMinutes(5));
    assertThat(replicas(client)).isEqualTo(10);
    toNextSync(clock);

    Instant drop = clock.now();
    traffic.flow("load").rate(100); // 100 millicores: 2 pods at 50%
    clock.advanceTo(drop.plusSeconds(285));
    assertThat(replicas(client)).isEqualTo(10); // the recommendation made at the drop still stands
    clock.advanceTo(drop.plusSeconds(300));
    assertThat(replicas(client)).isEqualTo(2);
  }

  @Test
  void staysPutWithinTheTolerance(SimulatedCluster sim, KubernetesClient client, TrafficSimulator traffic) {
    traffic.flow("load").to("shop", "api").rate(108); // 2 pods at 54%: within 10% of 50%
    sim.advance(Duration.ofMinutes(10));
    assertThat(replicas(client)).isEqualTo(2);
  }

  @Test
  void onlyReadyPodsCountForUtilization(SimulatedCluster sim, KubernetesClient client, TrafficSimulator traffic,
      VirtualScheduler clock) {
    // 2 pods and load for 2 at 100%; the pods become ready only after 5 s: the first sync at 15 s
    // sees them ready; a sync that counted starting pods as busy would have scaled before.
    traffic.flow("load").to("shop", "api").rate(100);
    sim.advance(Duration.ofMinutes(2));
    assertThat(replicas(client)).isEqualTo(2);
    HorizontalPodAutoscaler hpa = client.autoscaling().v2().horizontalPodAutoscalers().inNamespace("shop")
        .withName("api").get();
    assertThat(hpa.getStatus().getCurrentMetrics().get(0).getResource().getCurrent().getAverageUtilization())
        .isEqualTo(50);
  }
}
