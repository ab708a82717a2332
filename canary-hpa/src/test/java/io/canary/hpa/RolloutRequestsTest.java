package io.canary.hpa;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.ImmutableCanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Phase;
import io.canary.core.RolloutStatus;
import io.canary.core.Step;
import io.canary.core.WorkloadRef;
import io.canary.core.memory.InMemoryStrategy;
import io.canary.core.memory.InMemoryTrafficRouter;
import io.canary.kubernetes.KubernetesWorkloads;
import io.canary.testing.ObservedRequest;
import io.canary.testing.SimulatedCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The requests the workload adapters (HpaAwareWorkloads over KubernetesWorkloads) send during one
 * whole rollout on the simulated cluster, counted by verb and resource.
 */
class RolloutRequestsTest {
  private static final String NS = "istio-argo-rollouts";

  @Test
  void printsTheRequestsOfATenStepRollout() {
    try (SimulatedCluster sim = SimulatedCluster.builder().podStartupDelay(Duration.ofSeconds(10)).build()) {
      sim.loadScenario("rollouts-demo-subsets");
      sim.traffic().flow("browsers").throughGateway("istio-system/rollouts-demo-gateway")
          .to(NS, "rollouts-demo.example.com").rate(25);
      int before = sim.requests().size();
      try (KubernetesWorkloads k8s = KubernetesWorkloads.create(sim.client());
          HpaAwareWorkloads workloads = HpaAwareWorkloads.wrap(sim.client(), k8s);
          CanaryRunner runner = CanaryRunner.builder()
              .trafficRouter(new InMemoryTrafficRouter())
              .workloads(workloads)
              .scheduler(sim.scheduler())
              .build()) {
        RolloutStatus done = runner.start(tenSteps()).await(Duration.ofHours(12));
        assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
      }
      List<ObservedRequest> ours = sim.requests().subList(before, sim.requests().size()).stream()
          .filter(r -> !r.bySimulator()).toList();
      Map<String, Long> byKind = ours.stream().collect(Collectors.groupingBy(RolloutRequestsTest::kind, TreeMap::new,
          Collectors.counting()));
      byKind.forEach((k, n) -> System.out.println("REQUESTS " + n + " " + k));
      ours.forEach(r -> System.out.println("REQ " + r.method() + " " + r.path() + " " + r.body()));
    }
  }

  static String kind(ObservedRequest r) {
    String path = r.path();
    String query = path.contains("?") ? path.substring(path.indexOf('?')) : "";
    String[] parts = (query.isEmpty() ? path : path.substring(0, path.indexOf('?'))).split("/");
    int ns = List.of(parts).indexOf("namespaces");
    String resource = ns >= 0 && parts.length > ns + 2 ? parts[ns + 2] : parts[parts.length - 1];
    boolean named = ns >= 0 && parts.length > ns + 3;
    String what = query.contains("watch=true") ? "watch" : named ? "one" : "list";
    return r.method() + " " + resource + " (" + what + ")";
  }

  static CanarySpec tenSteps() {
    ImmutableCanarySpec.Builder b = CanarySpec.builder()
        .name("rollouts-demo").namespace(NS)
        .target(WorkloadRef.deployment("rollouts-demo-deployment"))
        .revision(NewRevision.image("rollouts-demo", "argoproj/rollouts-demo:red"))
        .traffic(InMemoryStrategy.of("route-one"));
    for (int weight = 10; weight <= 100; weight += 10) {
      b.addSteps(Step.setWeight(weight), Step.pause(Duration.ofHours(1)));
    }
    return b.build();
  }
}
