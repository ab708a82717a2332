package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The same inputs give the same run: same writes at the same virtual instants, same timeline. */
class DeterminismTest {

  private record Run(String timeline, List<String> writes) {}

  private static Run run() {
    try (SimulatedCluster sim = SimulatedCluster.builder().podStartupDelay(Duration.ofSeconds(7)).build()) {
      KubernetesClient client = sim.client();
      sim.load(HpaControllerTest.APP);
      sim.traffic().flow("load").to("shop", "api").rate(300)
          .users(UserGroup.withHeader("beta", 0.3, "x-beta", "1"));
      sim.traffic().behaviour(PodMatcher.image("shop/api:1"), Behaviour.builder().errorRate(0.013).build());
      sim.advance(Duration.ofMinutes(3));
      client.apps().deployments().inNamespace("shop").withName("api").edit(d -> {
        d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("shop/api:2");
        return d;
      });
      sim.traffic().flow("load").rate(40);
      sim.advance(Duration.ofMinutes(15));
      List<String> writes = sim.requests().stream().filter(ObservedRequest::isWrite)
          .map(r -> r.at() + " " + r.method() + " " + r.path()).toList();
      return new Run(sim.timeline().renderText(), writes);
    }
  }

  @Test
  void twoRunsOfTheSameScenarioWriteTheSameAndRecordTheSameTimeline() {
    Run first = run();
    Run second = run();
    assertThat(first.writes()).hasSizeGreaterThan(20);
    assertThat(second.writes()).isEqualTo(first.writes());
    assertThat(second.timeline()).isEqualTo(first.timeline());
    assertThat(first.timeline()).contains("api:2");
  }
}
