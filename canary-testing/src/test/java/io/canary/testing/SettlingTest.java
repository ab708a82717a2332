package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.time.VirtualScheduler;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Code under test that watches with informers sees each change at the virtual instant it happened. */
@CanarySimulation(podStartupSeconds = 7)
class SettlingTest {

  @Test
  void informerCallbacksReachTheSchedulerBeforeTheClockMovesOn(SimulatedCluster sim, KubernetesClient client,
      VirtualScheduler clock) {
    List<String> seen = new CopyOnWriteArrayList<>();
    Instant start = clock.now();
    try (SharedIndexInformer<Deployment> informer = client.apps().deployments().inNamespace(Fixtures.NS)
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(Deployment d) {}

          @Override
          public void onUpdate(Deployment before, Deployment d) {
            Integer ready = d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
            // as a runner does: the reaction is queued on the virtual scheduler
            clock.execute(() -> seen.add(Duration.between(start, clock.now()).toSeconds() + "s ready=" + ready));
          }

          @Override
          public void onDelete(Deployment d, boolean unknown) {}
        })) {
      client.resource(Fixtures.deployment("web", 2, "shop/web:1", Map.of("app", "web"))).create();
      sim.advance(Duration.ofMinutes(1));

      assertThat(seen).contains("7s ready=2").allSatisfy(s -> assertThat(s).matches("(0|7)s ready=.*"));
    }
  }

  @Test
  void writesAreRecordedWithTheirVirtualTimeAndOrigin(SimulatedCluster sim, KubernetesClient client,
      VirtualScheduler clock) {
    client.resource(Fixtures.deployment("web", 1, "shop/web:1", Map.of("app", "web"))).create();
    sim.advance(Duration.ofMinutes(1));
    client.apps().deployments().inNamespace(Fixtures.NS).withName("web").scale(3);
    sim.advance(Duration.ofMinutes(1));

    List<ObservedRequest> ours = sim.writesUnderTest();
    assertThat(ours).extracting(ObservedRequest::method).containsExactly("POST", "PUT");
    assertThat(ours.get(1).at()).isEqualTo(Instant.parse("2026-01-01T00:01:00Z"));
    assertThat(ours.get(0).body()).contains("shop/web:1");
    assertThat(sim.requests()).anySatisfy(r -> {
      assertThat(r.bySimulator()).isTrue();
      assertThat(r.path()).contains("/replicasets");
    });
  }
}
