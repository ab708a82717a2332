package io.canary.istio;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.DriftPolicy;
import io.canary.core.PauseReason;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutStatus;
import io.canary.core.event.DriftDetected;
import io.canary.core.event.RolloutEvent;
import io.canary.core.memory.InMemoryWorkloads;
import io.canary.core.spi.RouteWeight;
import io.canary.core.time.VirtualScheduler;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Drift seen through the router's watch on the VirtualService while the rollout waits: weights edited
 * by hand are reported at once and put back (or left as found while the rollout pauses), edits of
 * fields the rollout does not own survive to the end, and the rollout's own writes are never drift.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class DriftWatchTest {
  static final String NS = RolloutsDemoSubsetsTest.NS;
  static final String VS = "rollouts-demo-vs2";
  static final CanarySpec SPEC = RolloutsDemoSubsetsTest.SPEC;

  KubernetesMockServer server;
  MockCluster cluster;
  VirtualScheduler clock;
  IstioTrafficRouter router;
  final List<RolloutEvent> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void seed() {
    cluster = new MockCluster(server).seedScenario("rollouts-demo-subsets");
    clock = VirtualScheduler.create();
    router = IstioTrafficRouter.create(cluster.client());
  }

  @AfterEach
  void close() {
    router.close();
  }

  private CanaryRunner runner(DriftPolicy policy) {
    return CanaryRunner.builder().trafficRouter(router).workloads(InMemoryWorkloads.create(clock)).scheduler(clock)
        .driftPolicy(policy).addListener(events::add).build();
  }

  /** Runs the virtual clock's due tasks until {@code condition} holds: the watch delivers on its own thread. */
  private void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    clock.runDue();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      new CountDownLatch(1).await(10, TimeUnit.MILLISECONDS);
      clock.runDue();
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }

  private List<DriftDetected> drifts() {
    return events.stream().filter(e -> e instanceof DriftDetected).map(e -> (DriftDetected) e).toList();
  }

  private List<Integer> canaryWeights() {
    return router.currentWeights(SPEC).stream().map(RouteWeight::canaryWeight).toList();
  }

  @Test
  void weightsEditedByHandWhilePausedAreReportedAndPutBackAndAnUnownedEditSurvivesPromotion() throws Exception {
    try (CanaryRunner runner = runner(DriftPolicy.REVERT)) {
      RolloutHandle rollout = runner.start(SPEC);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));

      cluster.editAsAnotherWriter("VirtualService", NS, VS, vs -> {
        Trees.putWeights(vs, 30, 70, "spec", "http", 0);
        Trees.put(vs, "7s", "spec", "http", 0, "timeout");
      });
      eventually(() -> !drifts().isEmpty() && canaryWeights().equals(List.of(20)), "drift reported and weights put back");

      assertThat(drifts()).singleElement().satisfies(d -> {
        assertThat(d.found()).containsExactly(new RouteWeight("VirtualService " + NS + "/" + VS, "http route 'route-one'", 30, 70));
        assertThat(d.expectedCanaryWeight()).isEqualTo(20);
        assertThat(d.message()).contains("VirtualService " + NS + "/" + VS + " http route 'route-one' has stable 30 / canary 70")
            .contains("the rollout owns stable 80 / canary 20");
      });
      assertThat(Trees.get(cluster.read("VirtualService", NS, VS), "spec", "http", 0, "timeout"))
          .as("the user's timeout stays when the weights are put back").isEqualTo("7s");
      assertThat(rollout.status().pauseReason()).contains(PauseReason.CanaryPauseStep);

      rollout.promote();
      assertThat(rollout.await(Duration.ofHours(1)).phase()).isEqualTo(Phase.SUCCEEDED);
    }
    Map<String, Object> expected = cluster.seeded("VirtualService", NS, VS);
    Trees.put(expected, "7s", "spec", "http", 0, "timeout");
    assertThat(cluster.read("VirtualService", NS, VS)).as("the seed given back with the user's edit").isEqualTo(expected);
    assertThat(drifts()).hasSize(1);
  }

  @Test
  void withThePausePolicyTheRolloutPausesAndTheWeightsStayAsFoundUntilResumed() throws Exception {
    try (CanaryRunner runner = runner(DriftPolicy.PAUSE)) {
      RolloutHandle rollout = runner.start(SPEC);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));

      cluster.editAsAnotherWriter("VirtualService", NS, VS, vs -> Trees.putWeights(vs, 30, 70, "spec", "http", 0));
      eventually(() -> rollout.status().pauseReason().equals(java.util.Optional.of(PauseReason.RoutingDrift)),
          "paused for the drift");

      assertThat(drifts()).singleElement().satisfies(d -> assertThat(d.policy()).isEqualTo(DriftPolicy.PAUSE));
      clock.advance(Duration.ofMinutes(30));
      assertThat(canaryWeights()).as("left as found").containsExactly(70);

      rollout.resume();
      eventually(() -> canaryWeights().equals(List.of(20)) && rollout.status().pauseReason()
          .equals(java.util.Optional.of(PauseReason.CanaryPauseStep)), "weights put back on resume");
      rollout.promote();
      RolloutStatus done = rollout.await(Duration.ofHours(1));
      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(drifts()).hasSize(1);
    }
  }

  @Test
  void noDriftIsReportedForTheRolloutsOwnWritesDuringAWholeRollout() throws Exception {
    List<List<RouteWeight>> watched = new CopyOnWriteArrayList<>();
    try (CanaryRunner runner = runner(DriftPolicy.REVERT);
        AutoCloseable watching = router.watchRouting(SPEC, watched::add)) {
      RolloutHandle rollout = runner.start(SPEC);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));
      // Let the watch catch up with every write of the rollout's so far.
      eventually(() -> shows(watched, 20), "the watch shows the rollout's weight");
      rollout.promote();
      for (int weight : new int[] {40, 60, 80}) {
        rollout.await(s -> s.currentWeight() == weight && s.phase() == Phase.PAUSED, Duration.ofMinutes(10));
        eventually(() -> shows(watched, weight), "the watch shows weight " + weight);
      }
      assertThat(rollout.await(Duration.ofHours(1)).phase()).isEqualTo(Phase.SUCCEEDED);
    }
    assertThat(drifts()).isEmpty();
    assertThat(events).noneMatch(e -> e.warning());
  }

  @Test
  void whileTheRolloutWaitsTheDriftWatchMakesNoRequest() throws Exception {
    List<List<RouteWeight>> watched = new CopyOnWriteArrayList<>();
    try (CanaryRunner runner = runner(DriftPolicy.REVERT);
        AutoCloseable watching = router.watchRouting(SPEC, watched::add)) {
      RolloutHandle rollout = runner.start(SPEC);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));
      eventually(() -> shows(watched, 20), "the watch shows the rollout's weight");
      cluster.skipRequests();

      clock.advance(Duration.ofHours(2));

      assertThat(cluster.takeRequests()).as("API requests while the rollout waits for two hours").isEmpty();
      assertThat(rollout.status().phase()).isEqualTo(Phase.PAUSED);
    }
  }

  /** The watch's last word is {@code canary} on every route (it has caught up with the rollout's writes). */
  private static boolean shows(List<List<RouteWeight>> watched, int canary) {
    return !watched.isEmpty() && !watched.get(watched.size() - 1).isEmpty()
        && watched.get(watched.size() - 1).stream().allMatch(w -> w.canaryWeight() == canary);
  }
}
