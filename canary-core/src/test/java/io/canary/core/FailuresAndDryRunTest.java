package io.canary.core;

import io.canary.core.memory.InMemoryTrafficRouter;
import java.util.List;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.RolloutPlan.PlannedChange;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Adapters that fail, specs the cluster cannot take, and the dry run that writes nothing. */
class FailuresAndDryRunTest {
  @Test
  void clusterProblemsAreReportedTogetherBeforeAnythingIsWritten() {
    try (Fixture f = new Fixture()) {
      f.router.reportProblem(Problem.of("VirtualService istio-argo-rollouts/rollouts-demo-vs2",
          "route 'route-one' not found; routes: [primary]"));
      f.workloads.reportProblem(Problem.of("Deployment istio-argo-rollouts/rollouts-demo-deployment", "not found"));
      assertThatThrownBy(() -> f.runner.start(Scenarios.rolloutsDemo()))
          .isInstanceOf(CanaryValidationException.class)
          .hasMessageContaining("Rollout istio-argo-rollouts/rollouts-demo is invalid (2 problems)")
          .hasMessageContaining("route 'route-one' not found")
          .hasMessageContaining("Deployment istio-argo-rollouts/rollouts-demo-deployment: not found");
      f.advance(Duration.ofMinutes(1));
      assertThat(f.workloads.calls()).isEmpty();
      assertThat(f.router.history(Scenarios.rolloutsDemo().key())).isEmpty();
      assertThat(f.store.list()).isEmpty();
    }
  }

  @Test
  void aWriteThatFailsIsTriedAgainWithBackoffAndTheRolloutGoesOn() {
    try (Fixture f = new Fixture(5, Duration.ZERO)) {
      f.router.failWrites(2, new CanaryException("409 from the API server"));
      CanarySpec spec = RunnerStepsTest.spec(Step.setWeight(20), Step.setWeight(40)).build();
      RolloutHandle rollout = f.runner.start(spec);
      f.advance(Duration.ofSeconds(2));
      assertThat(f.router.weights(spec.key())).as("first try at 0s, second one second later: both failed").isEmpty();
      assertThat(rollout.status().phase()).as("the stable side is pinned before anything else").isEqualTo(Phase.PENDING);
      assertThat(f.workloads.calls()).as("no canary before the stable side is pinned").doesNotContain("ensureCanary");
      f.advance(Duration.ofSeconds(1));
      assertThat(f.router.weights(spec.key())).as("third try, two seconds after the second").startsWith(0, 20);
      assertThat(rollout.await(Duration.ofMinutes(1)).phase()).isEqualTo(Phase.SUCCEEDED);
    }
  }

  @Test
  void writesThatKeepFailingRollBackAfterTheProgressDeadlineAndTheRollBackIsTriedUntilItLands() {
    try (Fixture f = new Fixture(5, Duration.ZERO)) {
      CanarySpec spec = CanarySpec.copyOf(RunnerStepsTest.spec(Step.setWeight(20), Step.pause(), Step.setWeight(60)).build())
          .withProgressDeadline(Duration.ofMinutes(5));
      RolloutHandle rollout = f.runner.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(1));
      f.router.failWrites(40, new CanaryException("admission webhook denied the request"));
      rollout.promote();

      f.advance(Duration.ofMinutes(2));
      assertThat(rollout.status().phase()).as("still trying within the deadline").isEqualTo(Phase.PROGRESSING);
      assertThat(rollout.status().message()).hasValueSatisfying(m -> assertThat(m)
          .contains("admission webhook denied the request", "trying again in", "rolling back after the progress deadline of 5m"));

      f.advance(Duration.ofMinutes(4));
      RolloutStatus rollingBack = rollout.status();
      assertThat(rollingBack.phase()).as("past the deadline: traffic goes back to stable").isEqualTo(Phase.ABORTING);
      assertThat(rollingBack.abortReason()).hasValueSatisfying(r -> assertThat(r)
          .startsWith("could not go on for 5m").contains("admission webhook denied the request"));
      assertThat(rollingBack.message()).hasValueSatisfying(m -> assertThat(m).startsWith("rolling back: "));
      assertThat(f.router.weights(spec.key())).as("the roll-back's write has not landed yet").endsWith(20);

      RolloutStatus done = rollout.await(Duration.ofHours(1));
      assertThat(done.phase()).as("the roll-back is tried until it lands").isEqualTo(Phase.ABORTED);
      assertThat(done.condition(Condition.ABORTED)).hasValueSatisfying(c -> assertThat(c.reason()).isEqualTo("ActionFailed"));
      assertThat(f.router.weights(spec.key())).containsSubsequence(20, 0).doesNotContain(60);
      assertThat(f.reasons()).contains("RolloutAborted").doesNotContain("RolloutFailed");
    }
  }

  @Test
  void aCanaryThatCannotBeCreatedRollsBackAndGivesTheStableSidesLabelsBack() {
    try (Fixture f = new Fixture(5, Duration.ZERO)) {
      f.workloads.failEnsureCanary(1000, new CanaryException("quota exceeded"));
      CanarySpec spec = CanarySpec.copyOf(RunnerStepsTest.spec(Step.setWeight(20)).build())
          .withProgressDeadline(Duration.ofMinutes(5));
      RolloutHandle rollout = f.runner.start(spec);
      f.advance(Duration.ofMinutes(1));
      assertThat(f.router.history(spec.key())).as("the stable side pinned before the canary was asked for")
          .singleElement().satisfies(pinned -> assertThat(pinned.stableLabels()).isNotEmpty());
      RolloutStatus done = rollout.await(Duration.ofHours(1));
      assertThat(done.phase()).isEqualTo(Phase.ABORTED);
      assertThat(done.abortReason()).hasValueSatisfying(r -> assertThat(r).contains("quota exceeded"));
      assertThat(f.router.routing(spec.key()).orElseThrow().stableLabels())
          .as("the pin is given back: the routing as the user had it").isEmpty();
      assertThat(f.router.weights(spec.key())).allMatch(w -> w == 0);
    }
  }

  @Test
  void theDryRunListsEveryChangeWithTheRenderedObjectsAndWritesNothing() {
    try (Fixture f = new Fixture()) {
      CanarySpec spec = Scenarios.rolloutsDemo();
      RolloutPlan plan = f.runner.plan(spec);
      assertThat(plan.weights()).containsExactly(0, 20, 40, 60, 80, 80, 0, 0);
      assertThat(plan.changes()).extracting(PlannedChange::change).contains("waits for promote()",
          "canary asked for at least 4 replicas (setWeight 80)", "canary workload rollouts-demo-deployment-canary removed");
      assertThat(plan.changes()).extracting(PlannedChange::kind).containsSubsequence(RolloutPlan.Kind.CREATE_CANARY,
          RolloutPlan.Kind.SCALE_CANARY, RolloutPlan.Kind.ROUTING, RolloutPlan.Kind.PAUSE, RolloutPlan.Kind.PROMOTE_STABLE,
          RolloutPlan.Kind.REMOVE_CANARY);
      PlannedChange sixty = plan.changes().stream().filter(c -> c.change().startsWith("route 40% stable")).findFirst().orElseThrow();
      assertThat(sixty.after()).as("after the 10s pause at 40").isEqualTo(Duration.ofSeconds(10));
      assertThat(sixty.step()).isEqualTo("step 5/8 (setWeight 60)");
      assertThat(sixty.objects()).singleElement().satisfies(o -> assertThat(o.yaml()).contains("canary: 60"));
      assertThat(plan.toString()).contains("Plan for rollout istio-argo-rollouts/rollouts-demo", "+10s",
          "writes: InMemoryRoutes istio-argo-rollouts/rollouts-demo");
      String routes = InMemoryTrafficRouter.OBJECT_KIND + " istio-argo-rollouts/rollouts-demo";
      List<PlannedChange> routing = plan.changes().stream().filter(c -> c.kind() == RolloutPlan.Kind.ROUTING).toList();
      assertThat(routing.get(5).step()).as("promotion starts: only labels change, which this router does not render")
          .isEqualTo("promotion");
      assertThat(routing.get(5).objects()).isEmpty();
      assertThat(routing.get(5).untouched()).containsExactly(routes);
      assertThat(routing.get(7).objects()).as("the release at the end writes what the user had: unchanged here").isEmpty();
      assertThat(plan.toString()).contains("writes: nothing; untouched: " + routes);

      assertThat(f.workloads.calls()).isEmpty();
      assertThat(f.router.history(spec.key())).isEmpty();
      assertThat(f.store.list()).isEmpty();
    }
  }
}
