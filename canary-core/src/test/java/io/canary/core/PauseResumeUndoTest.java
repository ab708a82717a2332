package io.canary.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** pause() holds a rollout where it stands, resume() goes on, undo() releases the revision before. */
class PauseResumeUndoTest {
  /** Controls complete on the rollout's mailbox, which a virtual clock runs when it is moved. */
  private static <T> T done(Fixture f, java.util.concurrent.CompletableFuture<T> future) throws Exception {
    f.clock.runDue();
    return future.get(1, java.util.concurrent.TimeUnit.SECONDS);
  }

  private static CanarySpec spec(String image) {
    return RunnerStepsTest.spec(Step.setWeight(20), Step.pause(Duration.ofMinutes(10)), Step.setWeight(60))
        .revision(NewRevision.image("web", image)).build();
  }

  @Test
  void pauseHoldsTheWeightAndTheTimedPausesClockUntilResume() throws Exception {
    try (Fixture f = new Fixture()) {
      CanarySpec spec = spec("registry/web:2");
      RolloutHandle rollout = f.runner.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      f.advance(Duration.ofMinutes(4));
      RolloutStatus paused = done(f, rollout.pause());
      assertThat(paused.pauseReason()).contains(PauseReason.UserPause);
      f.advance(Duration.ofHours(2));
      assertThat(rollout.status().currentWeight()).as("held at 20 while paused by a person").isEqualTo(20);
      assertThat(rollout.status().stepIndex()).isEqualTo(1);
      assertThat(f.router.weights(spec.key())).containsExactly(0, 20);

      assertThat(done(f, rollout.resume()).phase()).isIn(Phase.PROGRESSING, Phase.PAUSED);
      f.advance(Duration.ofSeconds(30));
      assertThat(f.router.weights(spec.key())).as("the 10m pause ran out while held: 60 follows once its pods are ready")
          .startsWith(0, 20, 60);
      assertThat(rollout.await(s -> s.phase().isTerminal(), Duration.ofHours(1)).phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(f.reasons()).contains("PhaseChanged");
    }
  }

  @Test
  void resumeIsNoPromote() throws Exception {
    try (Fixture f = new Fixture()) {
      RolloutHandle rollout = f.runner.start(spec("registry/web:2"));
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      assertThatThrownBy(() -> done(f, rollout.resume())).isInstanceOf(ExecutionException.class)
          .hasMessageContaining("resume() does not apply while Paused at step 2/3 (pause 10m): it goes on after pause();"
              + " promote() goes past a pause step or an analysis");
    }
  }

  @Test
  void undoReleasesTheRevisionTheTargetRanBeforeWithTheSameSteps() throws Exception {
    try (Fixture f = new Fixture()) {
      f.runner.start(spec("registry/web:2")).await(s -> s.phase().isTerminal(), Duration.ofHours(1));
      f.runner.release(spec("registry/web:2").key());
      RolloutHandle second = f.runner.start(spec("registry/web:3"));
      assertThat(second.await(s -> s.phase().isTerminal(), Duration.ofHours(1)).phase()).isEqualTo(Phase.SUCCEEDED);

      RolloutHandle back = done(f, second.undo());
      assertThat(back.spec().revision()).isEqualTo(NewRevision.image("web", "registry/web:2"));
      assertThat(back.spec().steps()).isEqualTo(second.spec().steps());
      assertThat(back.await(s -> s.phase().isTerminal(), Duration.ofHours(1)).phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(f.runner.handle(back.key())).containsSame(back);
    }
  }

  @Test
  void undoNeedsASucceededReleaseAndAKnownPreviousRevision() throws Exception {
    try (Fixture f = new Fixture()) {
      RolloutHandle first = f.runner.start(spec("registry/web:2"));
      first.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      assertThatThrownBy(() -> done(f, first.undo())).hasMessageContaining("undo() rolls back a release that succeeded;"
          + " this one is Paused (abort() rolls back a release under way)");
      first.await(s -> s.phase().isTerminal(), Duration.ofHours(1));
      assertThatThrownBy(() -> done(f, first.undo())).hasMessageContaining("undo() needs the revision Deployment/web ran"
          + " before this release, and the workloads adapter cannot tell it");
    }
  }
}
