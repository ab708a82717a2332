package io.canary.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.canary.core.CanaryRunner;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutPlan;
import io.canary.core.event.DriftDetected;
import io.canary.core.event.WeightChanged;
import io.canary.core.memory.InMemoryStateStore;
import io.canary.core.memory.InMemoryWorkloads;
import io.canary.core.spi.RouteWeight;
import io.canary.core.time.VirtualScheduler;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The router as the engine drives it: the rollouts-demo plan run by a CanaryRunner on a virtual clock
 * with simulated workloads, against the VirtualService and DestinationRule of the seed.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class RunnerEndToEndTest {
  static final String NS = RolloutsDemoSubsetsTest.NS;

  KubernetesMockServer server;
  MockCluster cluster;
  VirtualScheduler clock;

  @BeforeEach
  void seed() {
    cluster = new MockCluster(server).seedScenario("rollouts-demo-subsets");
    clock = VirtualScheduler.create();
  }

  private CanaryRunner runner(List<RouteWeight> weightsSeen) {
    IstioTrafficRouter router = IstioTrafficRouter.create(cluster.client());
    return CanaryRunner.builder()
        .trafficRouter(router)
        .workloads(InMemoryWorkloads.create(clock))
        .scheduler(clock)
        .addListener(event -> {
          if (event instanceof WeightChanged) {
            weightsSeen.addAll(router.currentWeights(RolloutsDemoSubsetsTest.SPEC));
          }
        })
        .build();
  }

  @Test
  void theWholePlanReachesTheVirtualServiceStepByStepAndTheEndGivesTheSeedBack() {
    List<RouteWeight> weightsSeen = new CopyOnWriteArrayList<>();
    try (CanaryRunner runner = runner(weightsSeen)) {
      RolloutHandle rollout = runner.start(RolloutsDemoSubsetsTest.SPEC);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));
      assertThat(weightsSeen).extracting(RouteWeight::canaryWeight).containsExactly(20);
      Map<String, Object> subsets = cluster.read("DestinationRule", NS, "rollout-destrule");
      assertThat(labelsOf(subsets, 0)).containsEntry("app", "rollouts-demo").containsKey(InMemoryWorkloads.REVISION_LABEL);
      assertThat(labelsOf(subsets, 1)).containsEntry("app", "rollouts-demo").containsKey(InMemoryWorkloads.REVISION_LABEL);
      assertThat(labelsOf(subsets, 0)).isNotEqualTo(labelsOf(subsets, 1));

      rollout.promote();
      assertThat(rollout.await(Duration.ofHours(1)).phase()).isEqualTo(Phase.SUCCEEDED);
    }

    assertThat(weightsSeen).extracting(RouteWeight::stableWeight, RouteWeight::canaryWeight).containsExactly(
        tuple(80, 20), tuple(60, 40), tuple(40, 60), tuple(20, 80), tuple(100, 0));
    assertThat(cluster.read("VirtualService", NS, "rollouts-demo-vs2")).isEqualTo(cluster.seeded("VirtualService", NS, "rollouts-demo-vs2"));
    assertThat(cluster.read("DestinationRule", NS, "rollout-destrule")).isEqualTo(cluster.seeded("DestinationRule", NS, "rollout-destrule"));
  }

  @Test
  void theDryRunRendersEveryRoutingChangeAndWritesNothing() {
    try (CanaryRunner runner = runner(new CopyOnWriteArrayList<>())) {
      cluster.skipRequests();

      RolloutPlan plan = runner.plan(RolloutsDemoSubsetsTest.SPEC);

      assertThat(cluster.takeWrites()).isEmpty();
      // the four steps; the promotion's start (the stable subset selects every stable pod while the
      // stable Deployment rolls out), its end (all on the new stable), then the release of the labels
      assertThat(plan.weights()).containsExactly(0, 20, 40, 60, 80, 80, 0, 0);
      List<String> yamlOfFirstChange = plan.changes().stream().filter(c -> c.kind() == RolloutPlan.Kind.ROUTING && c.canaryWeight() > 0).findFirst().orElseThrow()
          .objects().stream().map(o -> o.kind() + "\n" + o.yaml()).toList();
      assertThat(yamlOfFirstChange).anySatisfy(y -> assertThat(y).startsWith("VirtualService").contains("weight: 80", "weight: 20"));

      // Which objects each change writes and which it leaves as they are.
      List<RolloutPlan.PlannedChange> routing = plan.changes().stream()
          .filter(c -> c.kind() == RolloutPlan.Kind.ROUTING).toList();
      String vs = "VirtualService " + NS + "/rollouts-demo-vs2";
      String dr = "DestinationRule " + NS + "/rollout-destrule";
      assertThat(routing.get(0).objects()).extracting(o -> o.kind() + " " + o.name())
          .as("before the canary exists: the subsets pinned to their revisions, the weights as they were").containsExactly(dr);
      assertThat(routing.get(0).untouched()).containsExactly(vs);
      assertThat(routing.get(1).objects()).extracting(o -> o.kind() + " " + o.name()).containsExactly(vs);
      assertThat(routing.get(1).untouched()).as("a weight change leaves the subsets as they are").containsExactly(dr);
      assertThat(routing.get(5).objects()).extracting(o -> o.kind() + " " + o.name())
          .as("promotion starts: the stable subset selects every stable pod; weights unchanged").containsExactly(dr);
      assertThat(routing.get(5).untouched()).containsExactly(vs);
      assertThat(plan.toString()).contains("writes: " + vs + "; untouched: " + dr);
    }
  }

  @Test
  void aResumedRunnerSeesAnOutOfBandWeightChangeReportsItAndPutsTheRolloutsWeightsBack() {
    InMemoryStateStore store = new InMemoryStateStore();
    InMemoryWorkloads workloads = InMemoryWorkloads.create(clock);
    IstioTrafficRouter router = IstioTrafficRouter.create(cluster.client());
    try (CanaryRunner first = CanaryRunner.builder().trafficRouter(router).workloads(workloads).stateStore(store).scheduler(clock).build()) {
      first.start(RolloutsDemoSubsetsTest.SPEC).await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));
    }
    cluster.editAsAnotherWriter("VirtualService", NS, "rollouts-demo-vs2", vs -> Trees.putWeights(vs, 100, 0, "spec", "http", 0));
    // the change was made while no runner drove the rollout: the router's informer has heard of it by the resume
    Await.until("the router seeing the change", () -> router.currentWeights(RolloutsDemoSubsetsTest.SPEC).get(0).canaryWeight() == 0);

    List<DriftDetected> drifts = new CopyOnWriteArrayList<>();
    try (CanaryRunner second = CanaryRunner.builder().trafficRouter(router).workloads(workloads).stateStore(store).scheduler(clock)
        .addListener(event -> {
          if (event instanceof DriftDetected drift) {
            drifts.add(drift);
          }
        })
        .build()) {
      second.start(RolloutsDemoSubsetsTest.SPEC).await(s -> !drifts.isEmpty() && s.phase() == Phase.PAUSED, Duration.ofMinutes(10));
    }

    assertThat(drifts).singleElement().satisfies(drift -> {
      assertThat(drift.expectedCanaryWeight()).isEqualTo(20);
      assertThat(drift.found()).extracting(RouteWeight::canaryWeight).containsExactly(0);
    });
    assertThat(router.currentWeights(RolloutsDemoSubsetsTest.SPEC)).extracting(RouteWeight::canaryWeight).containsExactly(20);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> labelsOf(Map<String, Object> destinationRule, int subset) {
    return (Map<String, Object>) Trees.get(destinationRule, "spec", "subsets", subset, "labels");
  }
}
