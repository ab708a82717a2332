package io.canary.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.event.DriftDetected;
import io.canary.core.event.RolloutEvent;
import io.canary.core.memory.InMemoryStateStore;
import io.canary.core.spi.TargetKey;
import io.canary.core.spi.Versioned;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The status is saved after every transition, and a new runner carries on from any saved status. */
class PersistenceAndResumeTest {
  private static final CanarySpec SPEC = Scenarios.rolloutsDemo();

  @Test
  void everyEventCarriesAStatusThatWasSavedBeforeItWasTold() {
    try (Fixture f = new Fixture()) {
      RolloutHandle rollout = f.runner.start(SPEC);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      rollout.promote();
      rollout.await(Duration.ofHours(1));
      List<RolloutStatus> saved = f.store.history(SPEC.key());
      assertThat(saved.size()).isGreaterThan(15);
      for (RolloutEvent e : f.events) {
        assertThat(saved).as("status of %s", e.reason()).contains(e.status());
      }
      assertThat(saved.get(saved.size() - 1)).isEqualTo(rollout.status());
      assertThat(saved).extracting(RolloutStatus::phase).containsSubsequence(Phase.PENDING, Phase.PROGRESSING,
          Phase.PAUSED, Phase.PROGRESSING, Phase.PROMOTING, Phase.SUCCEEDED);
    }
  }

  @Test
  void aNewRunnerResumesFromEverySavedStatusAndFinishesTheSameWay() {
    List<RolloutStatus> saved;
    try (Fixture f = new Fixture()) {
      RolloutHandle rollout = f.runner.start(SPEC);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      rollout.promote();
      rollout.await(Duration.ofHours(1));
      saved = f.store.history(SPEC.key());
    }
    for (int i = 0; i < saved.size(); i++) {
      RolloutStatus from = saved.get(i);
      try (Fixture f = new Fixture()) {
        f.store.compareAndSet(SPEC.key(), Optional.empty(), from);
        // The cluster as the first runner left it: the canary exists once it was created.
        if (from.revisions().isPresent() && from.phase() != Phase.SUCCEEDED) {
          f.workloads.ensureCanary(SPEC);
        }
        RolloutHandle resumed = f.runner.start(SPEC);
        RolloutStatus st = resumed.await(s -> s.phase().isTerminal()
            || (s.phase() == Phase.PAUSED && s.timers().pauseUntil().isEmpty()), Duration.ofHours(1));
        if (st.phase() == Phase.PAUSED) {
          resumed.promote();
          st = resumed.await(Duration.ofHours(1));
        }
        assertThat(st.phase()).as("resumed from saved status #%d %s", i, from).isEqualTo(Phase.SUCCEEDED);
        assertThat(f.store.history(SPEC.key())).as("resumed from saved status #%d: failures saved", i)
            .noneMatch(s -> s.message().orElse("").contains("trying again"));
        assertThat(st.stableRevision().map(Revision::hash)).isEqualTo(saved.get(saved.size() - 1).stableRevision().map(Revision::hash));
        assertThat(f.events.get(0).message()).startsWith("Resumed");
      }
    }
  }

  @Test
  void resumingFindsDriftedWeightsAndPutsTheStatusWeightBack() {
    try (Fixture f = new Fixture()) {
      RolloutHandle first = f.runner.start(SPEC);
      first.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      f.runner.close();
      f.router.changeOutOfBand(SPEC.key(), 70);

      CanaryRunner second = f.newRunner("runner-b");
      RolloutHandle resumed = second.start(SPEC);
      resumed.await(s -> resumed.isDriving(), Duration.ofMinutes(1));
      assertThat(f.events).filteredOn(e -> e instanceof DriftDetected).singleElement()
          .satisfies(e -> assertThat(e.message()).contains("expected canary 20").contains("canary 70"));
      assertThat(f.router.currentWeights(SPEC).get(0).canaryWeight()).isEqualTo(20);
      second.close();
    }
  }

  @Test
  void aRunnerThatStoppedBetweenAWeightWriteAndItsSaveIsResumedWithoutTheWeightGoingBack() {
    try (Fixture f = new Fixture()) {
      RolloutHandle first = f.runner.start(SPEC);
      first.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      RolloutStatus pausedAt20 = first.status();
      first.promote();
      first.await(s -> s.currentWeight() == 40, Duration.ofMinutes(5));
      f.runner.close();
      // The store as if the runner had stopped right after writing 40, before saving it: promoted past
      // the pause, the setWeight 40 step not yet saved.
      RolloutStatus beforeTheSave = RolloutStatus.copyOf(pausedAt20).withPhase(Phase.PROGRESSING)
          .withPauseReason(Optional.empty())
          .withStep(StepProgress.builder().from(pausedAt20.step()).index(2).build());
      String version = f.store.load(SPEC.key()).orElseThrow().version();
      f.store.compareAndSet(SPEC.key(), Optional.of(version), beforeTheSave);
      int writesBefore = f.router.weights(SPEC.key()).size();

      RolloutHandle resumed = f.newRunner("runner-b").start(SPEC);
      RolloutStatus st = resumed.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      assertThat(st.currentWeight()).isEqualTo(40);
      assertThat(f.router.weights(SPEC.key()).subList(writesBefore, f.router.weights(SPEC.key()).size()))
          .as("the resumed runner never writes 20 again").doesNotContain(20).allMatch(w -> w >= 40);
      assertThat(f.events).noneMatch(e -> e instanceof DriftDetected);
    }
  }

  @Test
  void aRunnerResumedAtAHeaderRouteStepKeepsTheCanaryItsWeightNeeds() {
    CanarySpec spec = CanarySpec.copyOf(SPEC).withSteps(Step.setWeight(50), Step.pause(),
        Step.setHeaderRoute("testers", RouteMatch.header("x-tester", StringMatch.exact("yes"))), Step.pause());
    try (Fixture f = new Fixture(4, Duration.ofSeconds(10))) {
      RolloutHandle first = f.runner.start(spec);
      first.await(s -> s.phase() == Phase.PAUSED && s.currentWeight() == 50, Duration.ofMinutes(5));
      assertThat(f.workloads.calls()).as("50 %% of 4 stable replicas").contains("scaleCanary 2");
      first.promote();
      first.await(s -> s.phase() == Phase.PAUSED && s.stepIndex() == 3, Duration.ofMinutes(5));
      f.runner.close();
      // The store as the runner left it had it stopped at the header route step, before its write.
      RolloutStatus atTheHeaderStep = f.store.history(spec.key()).stream().filter(s -> s.stepIndex() == 2)
          .reduce((a, b) -> b).orElseThrow();
      f.store.compareAndSet(spec.key(), Optional.of(f.store.load(spec.key()).orElseThrow().version()), atTheHeaderStep);
      int callsBefore = f.workloads.calls().size();

      RolloutHandle resumed = f.newRunner("runner-b").start(spec);
      resumed.await(s -> s.phase() == Phase.PAUSED && s.stepIndex() == 3, Duration.ofMinutes(5));
      List<String> calls = f.workloads.calls();
      assertThat(calls.subList(callsBefore, calls.size())).as("what the resumed runner asked of the canary")
          .filteredOn(c -> c.startsWith("scaleCanary")).containsOnly("scaleCanary 2");
    }
  }

  @Test
  void twoRunnersNeverDriveOneRolloutAndTheSecondTakesOverWhenTheFirstIsGone() {
    try (Fixture f = new Fixture()) {
      CanaryRunner second = f.newRunner("runner-b");
      RolloutHandle a = f.runner.start(SPEC);
      RolloutHandle b = second.start(SPEC);
      a.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      assertThat(a.isDriving()).isTrue();
      assertThat(b.isDriving()).isFalse();
      assertThat(f.driver(SPEC.key())).contains("runner-a");
      f.advance(Duration.ofMinutes(2));
      assertThat(b.isDriving()).as("runner-a keeps renewing its lease").isFalse();

      f.runner.close();
      f.advance(Duration.ofSeconds(16));
      assertThat(b.isDriving()).isTrue();
      assertThat(f.driver(SPEC.key())).contains("runner-b");
      b.promote();
      RolloutStatus done = b.await(Duration.ofHours(1));
      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(f.router.weights(SPEC.key())).containsExactly(0, 20, 40, 60, 80, 80, 0, 0);
      second.close();
    }
  }

  @Test
  void aRunnerWhoseSaveLosesTheRaceStopsActingAtOnce() {
    try (Fixture f = new Fixture()) {
      RolloutHandle rollout = f.runner.start(SPEC);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      Versioned<RolloutStatus> stored = f.store.load(SPEC.key()).orElseThrow();
      f.store.compareAndSet(SPEC.key(), Optional.of(stored.version()), RolloutStatus.copyOf(stored.value()).withMessage("someone else"));
      int writes = f.router.history(SPEC.key()).size();

      rollout.promote();
      f.clock.runDue();
      assertThat(rollout.isDriving()).isFalse();
      assertThat(f.router.history(SPEC.key())).as("no write after losing").hasSize(writes);
      assertThat(f.store.load(SPEC.key()).orElseThrow().value().message()).contains("someone else");

      // Still holding the lease, it re-reads the stored status and carries on from there: nothing is clobbered.
      f.advance(Duration.ofSeconds(16));
      assertThat(rollout.isDriving()).isTrue();
      assertThat(rollout.status().message()).contains("someone else");
      assertThat(rollout.status().phase()).isEqualTo(Phase.PAUSED);
    }
  }

  @Test
  void anotherReleaseOfARolloutUnderWayIsRefused() {
    try (Fixture f = new Fixture()) {
      f.runner.start(SPEC).await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      CanarySpec other = CanarySpec.copyOf(SPEC).withRevision(NewRevision.image("rollouts-demo", "argoproj/rollouts-demo:green"));
      CanaryRunner second = f.newRunner("runner-b");
      assertThatThrownBy(() -> second.start(other))
          .isInstanceOf(CanaryException.class)
          .hasMessageContaining("Rollout istio-argo-rollouts/rollouts-demo is Paused with another release");
      second.close();
    }
  }

  @Test
  void aNewReleaseAfterAFinishedOneStartsFresh() {
    try (Fixture f = new Fixture()) {
      RolloutHandle first = f.runner.start(SPEC);
      first.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      first.promoteFully();
      first.await(Duration.ofHours(1));
      f.runner.release(SPEC.key());
      CanarySpec next = CanarySpec.copyOf(SPEC).withRevision(NewRevision.image("rollouts-demo", "argoproj/rollouts-demo:green"));
      RolloutHandle second = f.runner.start(next);
      RolloutStatus st = second.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      assertThat(st.specFingerprint()).isNotEqualTo(first.status().specFingerprint());
      assertThat(st.currentWeight()).isEqualTo(20);
    }
  }

  @Test
  void resumeAllGivesUpTheClaimAndTheLeaseOfAnEndedRolloutWhoseRunnerStoppedRightAfterSavingTheEnd() {
    try (Fixture f = new Fixture()) {
      RolloutHandle first = f.runner.start(SPEC);
      first.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      first.promoteFully();
      RolloutStatus done = first.await(Duration.ofHours(1));
      f.runner.close();
      assertThat(f.newRunner("runner-c").resumeAll(key -> Optional.of(SPEC))).as("a rollout that ended cleanly").isEmpty();
      // As a runner that died between saving the end and giving the claim up leaves it.
      f.claims.claim(TargetKey.of(SPEC), SPEC.key(), f.clock.now(), claim -> false);
      f.leases.acquire("runner-dead", Duration.ofSeconds(15), java.util.OptionalLong.empty());

      CanaryRunner next = f.newRunner("runner-b");
      List<RolloutHandle> handles = next.resumeAll(key -> Optional.of(SPEC));
      assertThat(handles).extracting(RolloutHandle::key).containsExactly(SPEC.key());
      f.advance(Duration.ofSeconds(30));

      assertThat(f.claims.holder(TargetKey.of(SPEC))).as("the claim").isEmpty();
      assertThat(handles.get(0).isDriving()).as("an ended rollout is not driven").isFalse();
      assertThat(f.store.load(SPEC.key()).orElseThrow().value()).as("the status, kept").isEqualTo(done);
      next.close();
    }
  }

  @Test
  void resumeAllCarriesOnEveryUnfinishedRolloutItHasASpecFor() {
    InMemoryStateStore store;
    CanarySpec imesh = Scenarios.imesh();
    try (Fixture f = new Fixture()) {
      f.runner.start(SPEC).await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      f.runner.start(imesh).await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      f.runner.close();
      store = f.store;
      CanaryRunner next = f.newRunner("runner-b");
      List<RolloutHandle> handles = next.resumeAll(key -> key.equals(imesh.key()) ? Optional.of(imesh) : Optional.empty());
      assertThat(handles).extracting(RolloutHandle::key).containsExactly(imesh.key());
      RolloutStatus done = handles.get(0).await(Duration.ofHours(2));
      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(store.load(SPEC.key()).orElseThrow().value().phase()).isEqualTo(Phase.PAUSED);
      next.close();
    }
  }
}
