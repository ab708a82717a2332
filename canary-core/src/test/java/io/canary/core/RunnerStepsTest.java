package io.canary.core;

import io.canary.core.memory.InMemoryStrategy;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.event.AnalysisEvaluated;
import io.canary.core.event.CanaryScaled;
import io.canary.core.event.RolloutEvent;
import io.canary.core.event.RoutesChanged;
import io.canary.core.event.StableScaled;
import io.canary.core.event.WeightChanged;
import io.canary.core.memory.InMemoryMetricSource;
import io.canary.core.analysis.AnalysisGates;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.RoutingState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Every step kind, run by a CanaryRunner on in-memory adapters and a virtual clock. */
class RunnerStepsTest {
  static ImmutableCanarySpec.Builder spec(Step... steps) {
    return CanarySpec.builder()
        .name("web")
        .namespace("shop")
        .target(WorkloadRef.deployment("web"))
        .revision(NewRevision.image("web", "registry/web:2"))
        .traffic(InMemoryStrategy.of("primary"))
        .addSteps(steps);
  }

  @Test
  void setWeightWaitsUntilTheCanaryHasTheReplicasThatWeightNeeds() {
    try (Fixture f = new Fixture(10, Duration.ofSeconds(30))) {
      CanarySpec spec = spec(Step.setWeight(30), Step.pause()).build();
      RolloutHandle rollout = f.runner.start(spec);
      f.advance(Duration.ofSeconds(29));
      assertThat(rollout.status().currentWeight()).as("3 canary pods not ready yet").isZero();
      assertThat(f.router.weights(spec.key())).as("only the pin before the canary exists: weight 0").containsExactly(0);
      assertThat(f.workloads.calls()).containsExactly("ensureCanary", "scaleCanary 3");

      f.advance(Duration.ofSeconds(1));
      assertThat(rollout.status().currentWeight()).isEqualTo(30);
      assertThat(f.workloads.canaryReady(spec.key())).isEqualTo(3);
      assertThat(f.workloads.calls()).containsExactly("ensureCanary", "scaleCanary 3", "trafficShifted 30");
    }
  }

  @Test
  void aTimedPauseEndsExactlyWhenItsDurationHasPassed() {
    try (Fixture f = new Fixture(4, Duration.ZERO)) {
      CanarySpec spec = spec(Step.setWeight(25), Step.pause(Duration.ofMinutes(10)), Step.setWeight(50)).build();
      RolloutHandle rollout = f.runner.start(spec);
      RolloutStatus paused = rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(1));
      Instant pausedAt = f.clock.now();
      assertThat(paused.timers().pauseUntil()).contains(pausedAt.plus(Duration.ofMinutes(10)));

      f.advance(Duration.ofMinutes(10).minusSeconds(1));
      assertThat(rollout.status().phase()).isEqualTo(Phase.PAUSED);
      f.advance(Duration.ofSeconds(1));
      assertThat(rollout.status().stepIndex()).isGreaterThanOrEqualTo(2);
      assertThat(rollout.await(Duration.ofMinutes(5)).phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(f.router.weights(spec.key())).containsExactly(0, 25, 50, 50, 0, 0);
    }
  }

  @Test
  void setCanaryScaleSizesTheCanaryIndependentlyOfTheWeight() {
    try (Fixture f = new Fixture(10, Duration.ofSeconds(5))) {
      CanarySpec spec = spec(Step.setCanaryScaleReplicas(4), Step.setWeight(10), Step.pause(),
          Step.setCanaryScalePercent(50), Step.pause(), Step.setCanaryScaleMatchTrafficWeight(), Step.setWeight(70),
          Step.pause()).build();
      RolloutHandle rollout = f.runner.start(spec);

      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(1));
      assertThat(f.workloads.canaryReady(spec.key())).as("4 replicas although 10% needs 1").isEqualTo(4);
      assertThat(rollout.status().currentWeight()).isEqualTo(10);

      rollout.promote();
      rollout.await(s -> s.phase() == Phase.PAUSED && s.stepIndex() == 4, Duration.ofMinutes(1));
      assertThat(f.workloads.canaryReady(spec.key())).as("50% of 10 stable").isEqualTo(5);

      rollout.promote();
      rollout.await(s -> s.phase() == Phase.PAUSED && s.stepIndex() == 7, Duration.ofMinutes(1));
      assertThat(f.workloads.canaryReady(spec.key())).as("70% of 10 stable").isEqualTo(7);
      // counts are fixed; matchTrafficWeight and the weights after it pre-scale again (1 is 10% of 10)
      assertThat(f.workloads.calls()).filteredOn(c -> c.startsWith("scaleCanary")).containsExactly(
          "scaleCanary 4 fixed", "scaleCanary 5 fixed", "scaleCanary 1", "scaleCanary 7");
      assertThat(f.events).filteredOn(e -> e instanceof CanaryScaled).extracting(RolloutEvent::message)
          .startsWith("Fixed canary at 4 replicas (setCanaryScale)");
    }
  }

  @Test
  void anAnalysisStepThatPassesLetsTheRolloutGoOn() {
    InMemoryMetricSource metrics = new InMemoryMetricSource();
    AnalysisSpec analysis = AnalysisSpec.builder().name("success-rate").gate(AnalysisGates.successRate(metrics, 0.99, 100))
        .interval(Duration.ofMinutes(1)).successfulRuns(2).build();
    try (Fixture f = new Fixture(5, Duration.ZERO)) {
      CanarySpec spec = spec(Step.setWeight(20), Step.analysis(analysis), Step.setWeight(60)).build();
      RolloutHandle rollout = f.runner.start(spec);
      for (int minute = 1; minute <= 3; minute++) {
        metrics.record("web-canary", f.clock.now().plusSeconds(60L * minute - 30), 500, 1, 40);
      }
      RolloutStatus done = rollout.await(Duration.ofMinutes(10));
      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(f.events).filteredOn(e -> e instanceof AnalysisEvaluated).hasSize(2)
          .allSatisfy(e -> assertThat(((AnalysisEvaluated) e).result().verdict()).isEqualTo(io.canary.core.spi.Verdict.PASS));
      assertThat(f.router.weights(spec.key())).containsExactly(0, 20, 60, 60, 0, 0);
    }
  }

  @Test
  void anAnalysisStepThatFailsAbortsWithTheAnalysisMessage() {
    InMemoryMetricSource metrics = new InMemoryMetricSource();
    AnalysisSpec analysis = AnalysisSpec.of("success-rate", AnalysisGates.successRate(metrics, 0.99, 100));
    try (Fixture f = new Fixture(5, Duration.ZERO)) {
      CanarySpec spec = spec(Step.setWeight(20), Step.analysis(analysis), Step.setWeight(60)).build();
      RolloutHandle rollout = f.runner.start(spec);
      metrics.record("web-canary", f.clock.now().plusSeconds(30), 1000, 200, 40);
      RolloutStatus done = rollout.await(Duration.ofMinutes(10));
      assertThat(done.phase()).isEqualTo(Phase.ABORTED);
      assertThat(done.abortReason()).hasValueSatisfying(r -> assertThat(r)
          .contains("analysis 'success-rate' (step 2/3) failed").contains("0.8000 is below 0.9900"));
      assertThat(done.condition(Condition.ABORTED)).hasValueSatisfying(c -> assertThat(c.reason()).isEqualTo("AnalysisFailed"));
      assertThat(f.router.weights(spec.key())).containsExactly(0, 20, 0, 0);
    }
  }

  @Test
  void inconclusiveAnalysisPausesForAPersonAndPromoteGoesOn() {
    AnalysisSpec analysis = AnalysisSpec.builder().name("latency")
        .gate(ctx -> AnalysisResult.inconclusive("no data")).inconclusiveLimit(1).build();
    try (Fixture f = new Fixture(5, Duration.ZERO)) {
      CanarySpec spec = spec(Step.setWeight(20), Step.analysis(analysis), Step.setWeight(40)).build();
      RolloutHandle rollout = f.runner.start(spec);
      RolloutStatus paused = rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));
      assertThat(paused.pauseReason()).contains(PauseReason.InconclusiveAnalysis);
      assertThat(paused.stepAnalysis().inconclusive()).isEqualTo(2);
      f.advance(Duration.ofHours(1));
      assertThat(rollout.status().phase()).isEqualTo(Phase.PAUSED);

      rollout.promote();
      assertThat(rollout.await(Duration.ofMinutes(10)).phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(f.router.weights(spec.key())).containsExactly(0, 20, 40, 40, 0, 0);
    }
  }

  @Test
  void aFailingBackgroundAnalysisAbortsEvenDuringAPause() {
    AtomicInteger calls = new AtomicInteger();
    AnalysisSpec background = AnalysisSpec.builder().name("errors").interval(Duration.ofMinutes(1)).failureLimit(1)
        .gate(ctx -> calls.incrementAndGet() < 3 ? AnalysisResult.pass("fine") : AnalysisResult.fail("5xx rate 12%"))
        .build();
    try (Fixture f = new Fixture(5, Duration.ZERO)) {
      CanarySpec spec = spec(Step.setWeight(20), Step.pause()).analysis(background).build();
      RolloutHandle rollout = f.runner.start(spec);
      RolloutStatus done = rollout.await(Duration.ofHours(1));
      assertThat(done.phase()).isEqualTo(Phase.ABORTED);
      assertThat(calls.get()).as("pass, pass, fail (within the limit of 1), fail").isEqualTo(4);
      assertThat(done.abortReason()).hasValueSatisfying(r -> assertThat(r).contains("(background) failed: 5xx rate 12%"));
    }
  }

  @Test
  void headerAndMirrorRoutesAreSetInOrderAndRemovedAtPromotion() {
    RouteMatch beta = RouteMatch.header("x-beta", StringMatch.exact("on"));
    try (Fixture f = new Fixture(5, Duration.ZERO)) {
      CanarySpec spec = spec(Step.setHeaderRoute("beta-users", beta), Step.setMirrorRoute("shadow", 25, beta),
          Step.setWeight(10), Step.pause(), Step.removeMirrorRoute("shadow"), Step.pause()).build();
      RolloutHandle rollout = f.runner.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(1));
      RoutingState atPause = f.router.routing(spec.key()).orElseThrow();
      assertThat(atPause.headerRoutes()).extracting(HeaderRoute::name).containsExactly("beta-users");
      assertThat(atPause.mirrorRoutes()).extracting(MirrorRoute::name).containsExactly("shadow");
      assertThat(atPause.canaryWeight()).isEqualTo(10);
      assertThat(f.workloads.calls()).as("the header route needs a ready canary pod first")
          .containsSubsequence("scaleCanary 1", "trafficShifted 0");

      rollout.promote();
      rollout.await(s -> s.phase() == Phase.PAUSED && s.stepIndex() == 5, Duration.ofMinutes(1));
      assertThat(f.router.routing(spec.key()).orElseThrow().mirrorRoutes()).isEmpty();
      assertThat(f.router.routing(spec.key()).orElseThrow().headerRoutes()).hasSize(1);

      rollout.promote();
      rollout.await(Duration.ofMinutes(5));
      List<RoutingState> history = f.router.history(spec.key());
      RoutingState switchToStable = history.get(history.size() - 2);
      assertThat(switchToStable.headerRoutes()).isEmpty();
      assertThat(switchToStable.mirrorRoutes()).isEmpty();
      assertThat(f.events).filteredOn(e -> e instanceof RoutesChanged).hasSize(4);
    }
  }

  @Test
  void everyWeightChangeIsAnEventToRunnerAndHandleListeners() {
    try (Fixture f = new Fixture(5, Duration.ZERO)) {
      CanarySpec spec = spec(Step.setWeight(20), Step.setWeight(50)).build();
      RolloutHandle rollout = f.runner.start(spec);
      List<Integer> seenByHandle = new java.util.concurrent.CopyOnWriteArrayList<>();
      rollout.addListener(e -> {
        if (e instanceof WeightChanged w) {
          seenByHandle.add(w.to());
        }
      });
      rollout.await(Duration.ofMinutes(5));
      assertThat(seenByHandle).containsExactly(20, 50, 0);
      assertThat(f.events).filteredOn(e -> e instanceof WeightChanged)
          .extracting(e -> ((WeightChanged) e).to()).containsExactly(20, 50, 0);
      assertThat(f.reasons()).startsWith("RolloutStarted").endsWith("RolloutPromoted");
    }
  }

  @Test
  void dynamicStableScaleShrinksStableOnlyAfterTheWeightMovedAndTheDelayPassed() {
    try (Fixture f = new Fixture(10, Duration.ZERO)) {
      CanarySpec spec = spec(Step.setWeight(60), Step.pause())
          .scaling(ScalingOptions.builder().dynamicStableScale(true).stableScaleDownDelay(Duration.ofSeconds(30)).build())
          .build();
      RolloutHandle rollout = f.runner.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofSeconds(5));
      assertThat(f.workloads.calls()).doesNotContain("scaleStable 4");
      f.advance(Duration.ofSeconds(29));
      assertThat(f.workloads.stableDesired(spec.key())).isEqualTo(10);
      f.advance(Duration.ofSeconds(1));
      assertThat(f.workloads.stableDesired(spec.key())).as("40% of 10").isEqualTo(4);
      assertThat(f.workloads.calls()).containsSubsequence("scaleCanary 6", "trafficShifted 60", "scaleStable 4");

      rollout.abort();
      rollout.await(Duration.ofMinutes(5));
      assertThat(f.workloads.calls()).as("stable gets its pods back before it gets its traffic back")
          .containsSubsequence("scaleStable 4", "scaleStable (user's)", "trafficShifted 0", "removeCanary");
      assertThat(f.events).filteredOn(e -> e instanceof StableScaled).extracting(RolloutEvent::message)
          .containsExactly("Scaled stable to 4 replicas (dynamic stable scale: stable takes 40% of the traffic)",
              "Gave stable its own scale back (abort: stable needs all its pods back)");
      assertThat(f.events).as("the canary's events tell of the canary only").filteredOn(e -> e instanceof CanaryScaled)
          .extracting(RolloutEvent::message).containsExactly("Asked for at least 6 canary replicas (setWeight 60)");
    }
  }

  @Test
  void aWeightAppliedOnceIsNotWrittenAgainByTheSameWeight() {
    try (Fixture f = new Fixture(5, Duration.ZERO)) {
      CanarySpec spec = spec(Step.setWeight(20), Step.setWeight(20), Step.setWeight(40)).build();
      f.runner.start(spec).await(Duration.ofMinutes(5));
      assertThat(f.router.weights(spec.key())).containsExactly(0, 20, 40, 40, 0, 0);
    }
  }

  @Test
  void aCanaryWhoseWeightGoesDownKeepsItsPods() {
    try (Fixture f = new Fixture(10, Duration.ZERO)) {
      CanarySpec spec = spec(Step.setWeight(50), Step.setWeight(10), Step.pause()).build();
      RolloutHandle rollout = f.runner.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(1));
      assertThat(rollout.status().currentWeight()).isEqualTo(10);
      assertThat(f.workloads.canaryReady(spec.key())).isEqualTo(5);
      assertThat(f.workloads.calls()).containsOnlyOnce("scaleCanary 5").doesNotContain("scaleCanary 1");
    }
  }

  @Test
  void preScaleOffMovesTheWeightOnceOneCanaryPodIsReady() {
    try (Fixture f = new Fixture(10, Duration.ZERO)) {
      CanarySpec spec = spec(Step.setWeight(50), Step.pause())
          .scaling(ScalingOptions.builder().preScale(false).build()).build();
      f.workloads.holdReadiness(true);
      RolloutHandle rollout = f.runner.start(spec);
      f.advance(Duration.ofSeconds(5));
      assertThat(rollout.status().currentWeight()).isZero();
      f.workloads.holdReadiness(false);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(1));
      assertThat(rollout.status().currentWeight()).isEqualTo(50);
      assertThat(rollout.status().step().canaryReplicasRequested()).contains(5);
    }
  }

  @Test
  void preScaleCapLimitsTheCanaryReplicasAskedFor() {
    try (Fixture f = new Fixture(20, Duration.ZERO)) {
      CanarySpec spec = spec(Step.setWeight(50), Step.pause())
          .scaling(ScalingOptions.builder().preScaleCap(3).build()).build();
      RolloutHandle rollout = f.runner.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(1));
      assertThat(f.workloads.calls()).contains("scaleCanary 3").doesNotContain("scaleCanary 10");
      assertThat(rollout.status().currentWeight()).isEqualTo(50);
    }
  }

  @Test
  void aZeroPauseIsNoPause() {
    try (Fixture f = new Fixture(5, Duration.ZERO)) {
      CanarySpec spec = spec(Step.setWeight(20), Step.pause(Duration.ZERO), Step.setWeight(40)).build();
      RolloutStatus done = f.runner.start(spec).await(Duration.ofSeconds(30));
      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(f.events).noneMatch(e -> e.status().phase() == Phase.PAUSED);
    }
  }

  @Test
  void statusReportsRevisionsAndConditionsAtTheEnd() {
    try (Fixture f = new Fixture(5, Duration.ZERO)) {
      RolloutStatus done = f.runner.start(spec(Step.setWeight(50)).build()).await(Duration.ofMinutes(1));
      assertThat(done.condition(Condition.COMPLETED)).hasValueSatisfying(c -> assertThat(c.status()).isTrue());
      assertThat(done.condition(Condition.PROGRESSING)).hasValueSatisfying(c -> {
        assertThat(c.status()).isFalse();
        assertThat(c.reason()).isEqualTo("RolloutCompleted");
      });
      assertThat(done.stableRevision().map(Revision::workload)).isEqualTo(Optional.of("web"));
    }
  }
}
