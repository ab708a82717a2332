package io.canary.testing;

import static io.canary.testing.CanaryAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@CanarySimulation(podStartupSeconds = 5, timelineSeconds = 10)
class TimelineTest {

  private static void shift(KubernetesClient client, int canaryWeight) {
    client.resources(io.fabric8.istio.api.networking.v1alpha3.VirtualService.class).inNamespace("shop")
        .withName("web").edit(vs -> {
          vs.getSpec().getHttp().get(1).getRoute().get(0).setWeight(100 - canaryWeight);
          vs.getSpec().getHttp().get(1).getRoute().get(1).setWeight(canaryWeight);
          return vs;
        });
  }

  @Test
  void recordsSharesReplicasErrorsAndMarkersAndRendersThem(SimulatedCluster sim, KubernetesClient client,
      TrafficSimulator traffic, Timeline timeline, @TempDir Path dir) throws Exception {
    sim.load(TrafficSimulatorTest.MESH);
    traffic.flow("users").to("shop", "web").rate(100);
    traffic.behaviour(PodMatcher.image("shop/web:2"), Behaviour.builder().errorRate(0.5).build());
    sim.advance(Duration.ofMinutes(1));
    timeline.mark("step 2");
    shift(client, 50);
    sim.advance(Duration.ofMinutes(1));
    client.apps().deployments().inNamespace("shop").withName("web-canary").scale(3);
    sim.advance(Duration.ofMinutes(1));

    assertThat(timeline).sharesOf("web-canary").containsSubsequence(20, 50);
    assertThat(timeline).replicasOf("web-canary").containsExactly(1, 3);
    assertThat(timeline).errorPercentsOf("web-canary").containsOnly(50);
    assertThat(timeline).errorPercentsOf("web-stable").containsOnly(0);
    assertThat(timeline).hasMarkerContaining("step 2");
    timeline.onEvent(new io.canary.core.event.WeightChanged(io.canary.core.RolloutStatus.builder().namespace("shop")
        .name("web").phase(io.canary.core.Phase.PROGRESSING).lastTransitionTime(java.time.Instant.EPOCH).build(),
        java.time.Instant.EPOCH, 20, 50));
    assertThat(timeline).hasMarkerContaining("web: Canary weight 20 -> 50");

    String text = timeline.renderText();
    assertThat(text).contains("web-canary:2", "web-stable:1", "step 2", " 50% ");

    Path html = timeline.writeHtml(dir.resolve("charts/timeline.html"), "Canary web");
    String page = Files.readString(html);
    assertThat(page).startsWith("<!DOCTYPE html>").contains("<svg", "Request share", "Replicas", "Error rate",
        "data-revision=\"" + timeline.revisions().get(0) + "\"", "step 2");
    // each revision has three series (share, replicas, error rate) plus the dashed ready pods
    assertThat(page.split("class=\"series\"", -1)).hasSize(1 + 4 * timeline.revisions().size());
    assertThat(page).doesNotContain("<script", "src=", "@import", "url(", "<link");
  }
}
