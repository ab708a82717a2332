package io.canary.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.internal.RolloutMachine;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** promote, promoteFully, abort and retry in every phase: what they do and how they refuse. */
class ControlsTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final CanarySpec SPEC = RunnerStepsTest.spec(Step.setWeight(20), Step.pause(), Step.setWeight(60),
      Step.pause(Duration.ofMinutes(1))).build();
  private static final Revisions REVISIONS = new Revisions(new Revision("web", "s1", Map.of("canary.io/revision", "s1")),
      new Revision("web-canary", "c2", Map.of("canary.io/revision", "c2")));

  private static RolloutStatus in(Phase phase, Stage stage, int step) {
    return RolloutStatus.builder().namespace("shop").name("web").phase(phase).stage(stage)
        .step(StepProgress.builder().index(step).count(4).currentWeight(step > 0 ? 20 : 0).build()).stableRevision(REVISIONS.stable()).canaryRevision(REVISIONS.canary())
        .pauseReason(phase == Phase.PAUSED ? java.util.Optional.of(PauseReason.CanaryPauseStep) : java.util.Optional.empty())
        .lastTransitionTime(NOW).build();
  }

  /** What each control does in each phase: the phase it leads to, or null where it is refused. */
  private static final Map<Phase, Map<Control, Phase>> EXPECTED = Map.of(
      Phase.PENDING, Map.of(Control.ABORT, Phase.ABORTING),
      Phase.PROGRESSING, Map.of(Control.PROMOTE_FULLY, Phase.PROMOTING, Control.ABORT, Phase.ABORTING,
          Control.PAUSE, Phase.PAUSED),
      Phase.PAUSED, Map.of(Control.PROMOTE, Phase.PROGRESSING, Control.PROMOTE_FULLY, Phase.PROMOTING, Control.ABORT, Phase.ABORTING,
          Control.PAUSE, Phase.PAUSED),
      Phase.PROMOTING, Map.of(Control.ABORT, Phase.ABORTING),
      Phase.SUCCEEDED, Map.of(),
      Phase.ABORTING, Map.of(Control.ABORT, Phase.ABORTING),
      Phase.ABORTED, Map.of(Control.ABORT, Phase.ABORTED, Control.RETRY, Phase.PENDING),
      Phase.FAILED, Map.of(Control.ABORT, Phase.ABORTING));

  @ParameterizedTest
  @EnumSource(Phase.class)
  void everyControlInEveryPhaseEitherAppliesOrSaysWhyNot(Phase phase) {
    int step = phase == Phase.PAUSED ? 1 : phase == Phase.PROGRESSING ? 2 : 0;
    for (Control control : Control.values()) {
      RolloutStatus before = in(phase, Stage.NONE, step);
      Phase expected = EXPECTED.get(phase).get(control);
      if (expected == null) {
        assertThatThrownBy(() -> RolloutMachine.control(SPEC, before, control, NOW))
            .as("%s while %s", control, phase)
            .isInstanceOf(CanaryException.class)
            .hasMessageContaining("Rollout shop/web: " + control.method() + " does not apply while " + phase.displayName());
      } else {
        assertThat(RolloutMachine.control(SPEC, before, control, NOW).phase()).as("%s while %s", control, phase)
            .isEqualTo(expected);
      }
    }
  }

  @Test
  void promoteSkipsTheCurrentPauseOnly() {
    RolloutStatus next = RolloutMachine.control(SPEC, in(Phase.PAUSED, Stage.NONE, 1), Control.PROMOTE, NOW);
    assertThat(next.stepIndex()).isEqualTo(2);
    assertThat(next.pauseReason()).isEmpty();
  }

  @Test
  void promoteFullySkipsEveryRemainingStep() {
    RolloutStatus next = RolloutMachine.control(SPEC, in(Phase.PAUSED, Stage.NONE, 1), Control.PROMOTE_FULLY, NOW);
    assertThat(next.stepIndex()).isEqualTo(4);
    assertThat(next.phase()).isEqualTo(Phase.PROMOTING);
  }

  @Test
  void abortIsRefusedOnceTheStableWorkloadTakesTheNewRevision() {
    assertThatThrownBy(() -> RolloutMachine.control(SPEC, in(Phase.PROMOTING, Stage.PROMOTE_STABLE, 4), Control.ABORT, NOW))
        .hasMessageContaining("stage PROMOTE_STABLE")
        .hasMessageContaining("the stable workload already takes the new revision");
  }

  @Test
  void promoteWhileASetWeightWaitsForReplicasPointsToPromoteFully() {
    assertThatThrownBy(() -> RolloutMachine.control(SPEC, in(Phase.PROGRESSING, Stage.NONE, 2), Control.PROMOTE, NOW))
        .hasMessageContaining("at step 3/4 (setWeight 60)")
        .hasMessageContaining("promoteFully() skips every remaining step");
  }

  @Test
  void retryStartsAgainFromTheFirstStep() {
    RolloutStatus aborted = RolloutStatus.copyOf(in(Phase.ABORTED, Stage.NONE, 3)).withAbortReason("aborted by user");
    RolloutStatus next = RolloutMachine.control(SPEC, aborted, Control.RETRY, NOW);
    assertThat(next.stepIndex()).isZero();
    assertThat(next.attempt()).isEqualTo(1);
    assertThat(next.abortReason()).isEmpty();
    assertThat(next.condition(Condition.ABORTED)).hasValueSatisfying(c -> assertThat(c.status()).isFalse());
  }

  @Test
  void abortSendsAllTrafficToStableInOneWriteThenRemovesTheCanaryAfterTheDelay() {
    try (Fixture f = new Fixture(5, Duration.ZERO)) {
      CanarySpec spec = CanarySpec.copyOf(SPEC).withAbortScaleDownDelay(Duration.ofSeconds(45))
          .withSteps(Step.setWeight(20), Step.setHeaderRoute("beta", RouteMatch.header("x-beta", StringMatch.exact("1"))),
              Step.setWeight(60), Step.pause());
      RolloutHandle rollout = f.runner.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(1));
      int writesBefore = f.router.history(spec.key()).size();

      rollout.abort();
      f.clock.runDue();
      assertThat(f.router.history(spec.key())).hasSize(writesBefore + 1);
      io.canary.core.spi.RoutingState back = f.router.routing(spec.key()).orElseThrow();
      assertThat(back.canaryWeight()).isZero();
      assertThat(back.headerRoutes()).as("the same write removes the header route").isEmpty();
      assertThat(rollout.status().phase()).isEqualTo(Phase.ABORTING);
      assertThat(f.workloads.canaryExists(spec.key())).isTrue();

      f.advance(Duration.ofSeconds(44));
      assertThat(f.workloads.canaryExists(spec.key())).isTrue();
      f.advance(Duration.ofSeconds(1));
      assertThat(f.workloads.canaryExists(spec.key())).isFalse();
      assertThat(rollout.status().phase()).isEqualTo(Phase.ABORTED);
      assertThat(f.router.routing(spec.key()).orElseThrow().canaryLabels()).as("labels released").isEmpty();
      assertThat(f.reasons()).contains("RolloutAborted");
    }
  }

  @Test
  void retryAfterAbortRunsTheStepsAgainFromTheFirst() throws Exception {
    try (Fixture f = new Fixture(5, Duration.ZERO)) {
      RolloutHandle rollout = f.runner.start(SPEC);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(1));
      rollout.abort();
      rollout.await(Duration.ofMinutes(5));
      CompletableFuture<RolloutStatus> retried = rollout.retry();
      f.clock.runDue();
      assertThat(retried.get().attempt()).isEqualTo(1);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(1));
      rollout.promote();
      RolloutStatus done = rollout.await(Duration.ofMinutes(10));
      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(f.router.weights(SPEC.key())).containsExactly(0, 20, 0, 0, 0, 20, 60, 60, 0, 0);
      assertThat(f.workloads.calls().stream().filter("ensureCanary"::equals).count()).isEqualTo(2);
    }
  }

  @Test
  void aRefusedControlFailsItsFutureWithTheReason() {
    try (Fixture f = new Fixture(5, Duration.ZERO)) {
      RolloutHandle rollout = f.runner.start(SPEC);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(1));
      rollout.promoteFully();
      rollout.await(Duration.ofMinutes(5));
      CompletableFuture<RolloutStatus> abort = rollout.abort();
      f.clock.runDue();
      assertThatThrownBy(abort::get).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(CanaryException.class)
          .hasMessageContaining("abort() does not apply while Succeeded");
      assertThat(f.router.weights(SPEC.key())).as("promoteFully skipped 60").containsExactly(0, 20, 20, 0, 0);
    }
  }

  @Test
  void theProgressDeadlineAbortsARolloutWhoseCanaryNeverGetsReady() {
    try (Fixture f = new Fixture(5, Duration.ZERO)) {
      CanarySpec spec = CanarySpec.copyOf(SPEC).withProgressDeadline(Duration.ofMinutes(5));
      f.workloads.holdReadiness(true);
      RolloutHandle rollout = f.runner.start(spec);
      f.advance(Duration.ofMinutes(4));
      assertThat(rollout.status().phase()).isEqualTo(Phase.PROGRESSING);
      RolloutStatus done = rollout.await(Duration.ofMinutes(10));
      assertThat(done.phase()).isEqualTo(Phase.ABORTED);
      assertThat(done.condition(Condition.ABORTED)).hasValueSatisfying(c -> {
        assertThat(c.reason()).isEqualTo("ProgressDeadlineExceeded");
        assertThat(c.message()).contains("step 1/4 (setWeight 20): the canary had 0 of 1 replicas available after the progress deadline of 5m");
      });
      assertThat(f.router.weights(spec.key())).as("never any weight on the canary").allMatch(w -> w == 0);
    }
  }

  @Test
  void controlsOfARunnerThatWasClosedAreRefused() {
    try (Fixture f = new Fixture(5, Duration.ZERO)) {
      RolloutHandle rollout = f.runner.start(SPEC);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(1));
      f.runner.close();
      assertThat(rollout.isDriving()).isFalse();
      CompletableFuture<RolloutStatus> promote = rollout.promote();
      assertThatThrownBy(promote::get).hasCauseInstanceOf(CanaryException.class)
          .hasMessageContaining("promote() cannot be applied by runner 'runner-a': the runner was closed");
      f.advance(Duration.ofHours(1));
      assertThat(List.of(rollout.status().phase())).containsExactly(Phase.PAUSED);
    }
  }
}
