package io.canary.examples.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.HeaderRoute;
import io.canary.core.MirrorRoute;
import io.canary.core.Phase;
import io.canary.core.RolloutStatus;
import io.canary.core.Stage;
import io.canary.core.internal.StepNumbers;
import io.canary.core.spi.CanaryScale;
import io.canary.core.spi.RoutingState;
import io.canary.core.spi.TargetKey;
import io.canary.examples.ScenarioPlans;
import io.canary.examples.scenarios.KillMatrix.Run;
import io.canary.examples.scenarios.KillMatrix.Seed;
import io.canary.examples.scenarios.MortalRunner.Journal;
import io.canary.examples.scenarios.MortalRunner.KillPoint;
import io.canary.examples.scenarios.MortalRunner.RoutingWrite;
import io.canary.examples.scenarios.MortalRunner.ScaleRequest;
import io.canary.gatewayapi.GatewayApiTrafficRouter;
import io.canary.istio.IstioTrafficRouter;
import io.canary.kubernetes.ConfigMapTargetClaims;
import io.canary.kubernetes.KubernetesRunnerLeases;
import io.canary.testing.ObservedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Kill at every transition: for each seed scenario, the runner dies right after its k-th saved
 * transition, and at its k-th save before that save lands (the cluster carries the transition's
 * writes, the status does not), for every k of an uninterrupted run; a new runner takes the rollout
 * over once the dead one's lease ran out. Every run must end Succeeded, the routing objects must pass
 * through the uninterrupted run's states in its order (so no weight goes backwards before promotion),
 * one canary workload at a time and none at the end, and the cluster must end as the uninterrupted run
 * ends: no Lease, no claim, no canary autoscaler, every seed object there, the status kept. The
 * figures and how it runs: RELIABILITY.md, part 2.
 */
class KillMatrixTest {
  @TestFactory
  Stream<DynamicTest> rolloutsDemoSubsets() {
    return matrix(new Seed("rollouts-demo-subsets", Duration.ofSeconds(10), ScenarioPlans.rolloutsDemo(RolloutsDemoObjects.RED),
        IstioTrafficRouter::create, List.of(RolloutsDemoObjects.DEMO_DEPLOYMENT)));
  }

  @TestFactory
  Stream<DynamicTest> appAServices() {
    return matrix(new Seed("appA-services", Duration.ofSeconds(5), ScenarioPlans.appA(), IstioTrafficRouter::create,
        List.of("appa")));
  }

  @TestFactory
  Stream<DynamicTest> imeshServices() {
    return matrix(new Seed("imesh-services", Duration.ofSeconds(5), ScenarioPlans.imesh(), IstioTrafficRouter::create,
        List.of("imesh-rollout")));
  }

  @TestFactory
  Stream<DynamicTest> helloworldVersions() {
    return matrix(new Seed("helloworld-versions", Duration.ofSeconds(5), ScenarioPlans.helloworld(),
        client -> IstioTrafficRouter.builder(client).addMissingCanaryDestinations(true).build(),
        List.of("helloworld-v1", "helloworld-v2")));
  }

  @TestFactory
  Stream<DynamicTest> appAGatewayApi() {
    return matrix(new Seed("appA-gateway-api", Duration.ofSeconds(5), ScenarioPlans.appAGatewayApi("example/appa:1.1.0"),
        GatewayApiTrafficRouter::create, List.of("appa")));
  }

  /** The uninterrupted run first (the reference), then one run per kill point, all on one cluster. */
  private static Stream<DynamicTest> matrix(Seed seed) {
    Run census = KillMatrix.run(seed, List.of(KillPoint.NEVER)).get(0);
    assertEndedWell(census);
    List<RolloutStatus> saves = census.firstRunnersSaves();
    List<KillPoint> kills = new ArrayList<>();
    for (int k = 1; k <= saves.size(); k++) {
      kills.add(KillPoint.afterSave(k));
      kills.add(KillPoint.beforeSave(k));
    }
    List<Run> runs = KillMatrix.run(seed, kills);
    return runs.stream().map(run -> {
      KillPoint kill = run.kill();
      String name = (kill.when() == KillPoint.When.AFTER_SAVE ? "dies right after save " : "dies at save ")
          + kill.save() + "/" + saves.size() + (kill.when() == KillPoint.When.AFTER_SAVE ? "" : ", before it lands")
          + " (" + describe(saves.get(kill.save() - 1)) + ")";
      return DynamicTest.dynamicTest(name, () -> {
        assertThat(run.died()).as("%s %s: the first runner died (it saved %d times)", seed, kill,
            run.firstRunnersSaves().size()).isTrue();
        assertEndedWell(run);
        for (String resource : List.of("deployments", "horizontalpodautoscalers")) {
          assertThat(assertOneCanaryAtATime(run, resource)).as("%s: canary %s created, against the uninterrupted run",
              kill, resource).isEqualTo(assertOneCanaryAtATime(census, resource));
        }
        assertInTheOrderOf(census, run, "routing write", j -> j.routing().stream().map(RoutingWrite::state).toList(),
            KillMatrixTest::describe);
        if (!run.stableAutoscaled()) {
          assertInTheOrderOf(census, run, "canary scale request",
              j -> j.scales().stream().map(ScaleRequest::scale).toList(), CanaryScale::toString);
        }
        assertEndsAsTheUninterruptedRun(census, run);
      });
    });
  }

  private static String describe(RolloutStatus st) {
    return st.phase().displayName() + (st.stage() == Stage.NONE ? "" : " " + st.stage())
        + ", " + StepNumbers.position(st) + ", weight " + st.currentWeight();
  }

  private static String describe(RoutingState state) {
    return "weight " + state.canaryWeight() + ", stable " + state.stableLabels() + ", canary " + state.canaryLabels()
        + ", routes " + state.headerRoutes().stream().map(HeaderRoute::name).toList()
        + state.mirrorRoutes().stream().map(MirrorRoute::name).toList();
  }

  /** What every run must show, the uninterrupted one included. */
  private static void assertEndedWell(Run run) {
    String what = run.seed() + " " + run.kill();
    assertThat(run.end().phase()).as("%s: the rollout's end (%s)", what, run.end()).isEqualTo(Phase.SUCCEEDED);
    assertThat(run.stored()).as("%s: the status kept in its ConfigMap", what)
        .hasValueSatisfying(s -> assertThat(s.phase()).isEqualTo(Phase.SUCCEEDED));
    assertThat(run.journal().saves()).as("%s: statuses saved that say an action failed", what)
        .noneMatch(s -> s.message().orElse("").contains("trying again"));
    assertWeightsNeverGoBack(run);
    if (!run.stableAutoscaled()) {
      assertCanaryNeverAskedForFewer(run);
    }
    assertOneCanaryAtATime(run, "deployments");
    assertOneCanaryAtATime(run, "horizontalpodautoscalers");
    assertThat(run.objectsAtEnd()).as("%s: leftovers", what)
        .doesNotContainKeys("Lease " + KubernetesRunnerLeases.leaseName("runner-1"), "Lease " + KubernetesRunnerLeases.leaseName("runner-2"))
        .doesNotContainKey("ConfigMap " + ConfigMapTargetClaims.configMapName(TargetKey.of(run.seed().spec())))
        .doesNotContainValue("(gone)");
  }

  /**
   * The canary weights written, in order, rise (or stay) until promotion sends all traffic to the
   * stable workload, and stay there: 10 -> 0 -> 10 or 50 -> 10 -> 50 is traffic flapping on the canary.
   */
  private static void assertWeightsNeverGoBack(Run run) {
    List<Integer> weights = run.journal().routing().stream().map(w -> w.state().canaryWeight()).toList();
    int highest = 0;
    for (int i = 0; i < weights.size(); i++) {
      if (weights.get(i) < highest) {
        assertThat(weights.subList(i, weights.size()))
            .as("%s: the canary weights written, %s, go back at write %d (%d after %d); only promotion sends all"
                + " traffic to stable, and for good", run.kill(), weights, i + 1, weights.get(i), highest)
            .containsOnly(0);
        return;
      }
      highest = weights.get(i);
    }
  }

  /**
   * A canary is asked for more replicas as its weight grows, never for fewer than before while it
   * carries traffic (the seed plans fix no smaller canary scale). Not where an autoscaler sizes the
   * stable workload: the replicas a weight needs follow the stable's size, which moves with time (the
   * new runner comes a lease later, and the autoscaler has shrunk an idle stable by then).
   */
  private static void assertCanaryNeverAskedForFewer(Run run) {
    List<Integer> asked = run.journal().scales().stream().map(r -> r.scale().replicas()).toList();
    for (int i = 1; i < asked.size(); i++) {
      assertThat(asked.get(i)).as("%s: canary scale request %d of %s", run.kill(), i + 1, asked)
          .isGreaterThanOrEqualTo(asked.get(i - 1));
    }
  }

  /**
   * At most one canary workload (or autoscaler) exists at a time, none is left, and a resumed runner
   * finds the one there is instead of making another: created at most once, deleted as often.
   */
  private static int assertOneCanaryAtATime(Run run, String resource) {
    int live = 0;
    int created = 0;
    int deleted = 0;
    for (ObservedRequest w : run.writes()) {
      String path = w.path().split("\\?")[0];
      if (w.status() >= 300 || !path.contains("/" + resource)) {
        continue;
      }
      if (w.method().equals("POST") && path.endsWith("/" + resource)) {
        live++;
        created++;
      } else if (w.method().equals("DELETE")) {
        live--;
        deleted++;
      }
      assertThat(live).as("%s: canary %s at once after %s", run.kill(), resource, w).isLessThanOrEqualTo(1);
    }
    assertThat(created).as("%s: canary %s created", run.kill(), resource).isLessThanOrEqualTo(1);
    assertThat(deleted).as("%s: canary %s deleted", run.kill(), resource).isEqualTo(created);
    return created;
  }

  /**
   * What the runners asked, in order, passes through what the uninterrupted run asks, in its order: a
   * resumed runner may ask again for what the cluster has already (idempotent), never for something
   * older, nothing else, and it gets to the same last request.
   */
  private static <T> void assertInTheOrderOf(Run census, Run run, String what, Function<Journal, List<T>> requests,
      Function<T, String> show) {
    List<T> reference = new ArrayList<>();
    for (T r : requests.apply(census.journal())) {
      if (reference.isEmpty() || !reference.get(reference.size() - 1).equals(r)) {
        assertThat(reference).as("the uninterrupted run makes each %s in one stretch", what).doesNotContain(r);
        reference.add(r);
      }
    }
    List<T> made = requests.apply(run.journal());
    String all = made.stream().map(r -> "  " + show.apply(r)).collect(Collectors.joining("\n"));
    String expected = reference.stream().map(r -> "  " + show.apply(r)).collect(Collectors.joining("\n"));
    int last = 0;
    for (int i = 0; i < made.size(); i++) {
      int index = reference.indexOf(made.get(i));
      assertThat(index).as("%s: %s %d (%s) is not one the uninterrupted run makes; made:%n%s%nuninterrupted:%n%s",
          run.kill(), what, i + 1, show.apply(made.get(i)), all, expected).isNotNegative();
      assertThat(index).as("%s: %s %d (%s) goes back to an earlier one of the uninterrupted run; made:%n%s%nuninterrupted:%n%s",
          run.kill(), what, i + 1, show.apply(made.get(i)), all, expected).isGreaterThanOrEqualTo(last);
      last = index;
    }
    assertThat(last).as("%s: the last %s, against the uninterrupted run's; made:%n%s", run.kill(), what, all)
        .isEqualTo(reference.size() - 1);
  }

  /** Every object of the namespace ends as in the uninterrupted run: nothing lost, nothing left over. */
  private static void assertEndsAsTheUninterruptedRun(Run census, Run run) {
    Set<String> names = new TreeSet<>(run.objectsAtEnd().keySet());
    names.addAll(census.objectsAtEnd().keySet());
    List<String> differ = names.stream()
        .filter(n -> !Objects.equals(run.objectsAtEnd().get(n), census.objectsAtEnd().get(n)))
        .map(n -> n + "\n    uninterrupted: " + census.objectsAtEnd().get(n) + "\n    this run:      " + run.objectsAtEnd().get(n))
        .toList();
    assertThat(differ).as("%s: objects that end otherwise than in the uninterrupted run", run.kill()).isEmpty();
  }
}
