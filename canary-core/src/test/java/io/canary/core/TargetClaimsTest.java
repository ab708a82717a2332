package io.canary.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.spi.TargetClaims.Claim;
import io.canary.core.spi.TargetKey;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One release per target workload at a time, whatever the rollout's name or runner (promise 11). */
class TargetClaimsTest {
  private static final CanarySpec FIRST = Scenarios.rolloutsDemo();
  /** Another rollout name, another canary, the same target Deployment. */
  private static final CanarySpec SECOND = CanarySpec.copyOf(FIRST).withName("rollouts-demo-green")
      .withRevision(NewRevision.image("rollouts-demo", "argoproj/rollouts-demo:green"));
  private static final TargetKey TARGET = TargetKey.of(FIRST);

  @Test
  void aSecondRolloutOfTheSameTargetIsRefusedAtStartNamingTheFirst() {
    try (Fixture f = new Fixture()) {
      RolloutHandle first = f.runner.start(FIRST);
      assertThatThrownBy(() -> f.runner.start(SECOND))
          .as("refused at the same instant, before the first saved anything")
          .isInstanceOf(CanaryException.class)
          .hasMessageContaining("target Deployment/rollouts-demo-deployment is held by rollout istio-argo-rollouts/rollouts-demo");

      first.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      int saves = f.store.history(FIRST.key()).size();
      List<Integer> weights = f.router.weights(FIRST.key());
      assertThatThrownBy(() -> f.runner.start(SECOND))
          .isInstanceOf(CanaryException.class)
          .hasMessageContaining("Rollout istio-argo-rollouts/rollouts-demo-green cannot start")
          .hasMessageContaining("held by rollout istio-argo-rollouts/rollouts-demo (Paused, step 2/8)")
          .hasMessageContaining("Abort istio-argo-rollouts/rollouts-demo and let it end")
          .hasMessageContaining("once its lease runs out");

      f.advance(Duration.ofMinutes(1));
      assertThat(f.store.history(FIRST.key())).as("the first release's status is untouched").hasSize(saves);
      assertThat(f.router.weights(FIRST.key())).as("and its routing").isEqualTo(weights);
      assertThat(f.workloads.canaryExists(FIRST.key())).isTrue();
      assertThat(f.workloads.canaryReady(FIRST.key())).isEqualTo(1);
      assertThat(first.status().phase()).isEqualTo(Phase.PAUSED);
      assertThat(f.store.load(SECOND.key())).as("the refused one wrote no status").isEmpty();
      assertThat(f.driver(SECOND.key())).as("and no runner owns it").isEmpty();
      assertThat(f.router.weights(SECOND.key())).isEmpty();
      assertThat(f.workloads.canaryExists(SECOND.key())).isFalse();
      assertThat(f.runner.handle(SECOND.key())).isEmpty();
      assertThat(f.claims.holder(TARGET).map(Claim::rollout)).contains(FIRST.key());
    }
  }

  @Test
  void aRolloutWithItsOwnCanaryWorkloadIsRefusedOnTheSameTargetToo() {
    try (Fixture f = new Fixture()) {
      f.runner.start(FIRST).await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      CanarySpec ownCanary = CanarySpec.copyOf(FIRST).withName("rollouts-demo-blue")
          .withRevision(NewRevision.existingWorkload("rollouts-demo-blue"));
      assertThatThrownBy(() -> f.newRunner("runner-b").start(ownCanary))
          .isInstanceOf(CanaryException.class)
          .hasMessageContaining("held by rollout istio-argo-rollouts/rollouts-demo (Paused");
      assertThat(f.store.load(ownCanary.key())).isEmpty();
    }
  }

  @Test
  void ofTwoRunnersStartingTwoRolloutsOfOneTargetAtTheSameInstantExactlyOneRuns() throws Exception {
    try (Fixture f = new Fixture()) {
      CanaryRunner second = f.newRunner("runner-b");
      ExecutorService pool = Executors.newFixedThreadPool(2);
      Future<RolloutHandle> a;
      Future<RolloutHandle> b;
      try {
        CountDownLatch go = new CountDownLatch(1);
        a = pool.submit(() -> go.await(5, TimeUnit.SECONDS) ? f.runner.start(FIRST) : null);
        b = pool.submit(() -> go.await(5, TimeUnit.SECONDS) ? second.start(SECOND) : null);
        go.countDown();
        Optional<RolloutHandle> ha = outcome(a);
        Optional<RolloutHandle> hb = outcome(b);
        assertThat(ha.isPresent() ^ hb.isPresent()).as("a started: %s, b started: %s", ha, hb).isTrue();
        RolloutHandle winner = ha.orElseGet(hb::orElseThrow);
        CanarySpec loser = ha.isPresent() ? SECOND : FIRST;
        Throwable refusal = catchRefusal(ha.isPresent() ? b : a);
        assertThat(refusal).isInstanceOf(CanaryException.class)
            .hasMessageContaining("is held by rollout " + winner.key());

        RolloutStatus st = winner.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
        assertThat(st.currentWeight()).isEqualTo(20);
        assertThat(f.store.load(loser.key())).isEmpty();
        assertThat(f.driver(loser.key())).isEmpty();
        assertThat(f.router.weights(loser.key())).isEmpty();
        assertThat(f.claims.holder(TARGET).map(Claim::rollout)).contains(winner.key());
      } finally {
        pool.shutdownNow();
        second.close();
      }
    }
  }

  @Test
  void onceTheFirstReleaseHasEndedItsClaimIsGivenUpAndANewReleaseClaimsTheTarget() {
    try (Fixture f = new Fixture()) {
      RolloutHandle first = f.runner.start(FIRST);
      first.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      first.promoteFully();
      assertThat(first.await(Duration.ofHours(1)).phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(f.claims.holder(TARGET)).as("given up when the rollout retired").isEmpty();

      RolloutHandle next = f.newRunner("runner-b").start(SECOND);
      assertThat(next.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5)).currentWeight()).isEqualTo(20);
      assertThat(f.claims.holder(TARGET).map(Claim::rollout)).contains(SECOND.key());
    }
  }

  @Test
  void aRetryOfAnAbortedRolloutIsRefusedOnceAnotherReleaseHoldsTheTarget() {
    try (Fixture f = new Fixture()) {
      RolloutHandle first = f.runner.start(FIRST);
      first.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      first.abort();
      assertThat(first.await(Duration.ofHours(1)).phase()).isEqualTo(Phase.ABORTED);
      RolloutHandle second = f.runner.start(SECOND);
      second.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));

      var retried = first.retry();
      f.clock.runDue();
      assertThatThrownBy(retried::join)
          .isInstanceOf(CompletionException.class)
          .hasRootCauseInstanceOf(CanaryException.class)
          .rootCause().hasMessageContaining("held by rollout istio-argo-rollouts/rollouts-demo-green (Paused");
      assertThat(first.status().phase()).isEqualTo(Phase.ABORTED);
      assertThat(f.driver(FIRST.key())).isEmpty();
      assertThat(f.claims.holder(TARGET).map(Claim::rollout)).contains(SECOND.key());
    }
  }

  @Test
  void aClaimWhoseRolloutEndedWithoutGivingItUpIsStaleAndReplaced() {
    try (Fixture f = new Fixture()) {
      RolloutHandle first = f.runner.start(FIRST);
      first.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      first.abort();
      first.await(Duration.ofHours(1));
      // As if its runner had stopped after saving Aborted, before giving the claim up.
      f.claims.claim(TARGET, FIRST.key(), f.clock.now(), c -> true);

      assertThatThrownBy(() -> f.newRunner("runner-b").start(SECOND))
          .as("a claim just made is not stale yet: its runner has a lease duration to save")
          .isInstanceOf(CanaryException.class).hasMessageContaining("(Aborted");
      f.advance(Duration.ofSeconds(15));
      RolloutHandle next = f.newRunner("runner-c").start(SECOND);
      assertThat(next.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5)).currentWeight()).isEqualTo(20);
      assertThat(f.claims.holder(TARGET).map(Claim::rollout)).contains(SECOND.key());
    }
  }

  @Test
  void aClaimWhoseRolloutIsGoneFromTheStoreIsStaleAndReplaced() {
    try (Fixture f = new Fixture()) {
      RolloutKey ghost = RolloutKey.of(FIRST.namespace(), "deleted-rollout");
      f.claims.claim(TARGET, ghost, f.clock.now(), c -> true);
      assertThatThrownBy(() -> f.runner.start(FIRST))
          .isInstanceOf(CanaryException.class)
          .hasMessageContaining("held by rollout istio-argo-rollouts/deleted-rollout (starting, no status saved yet)");
      f.advance(Duration.ofSeconds(15));
      RolloutHandle started = f.runner.start(FIRST);
      assertThat(started.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5)).currentWeight()).isEqualTo(20);
      assertThat(f.claims.holder(TARGET).map(Claim::rollout)).contains(FIRST.key());
    }
  }

  @Test
  void aRolloutUnderWayKeepsItsClaimWhenItsRunnerDiesAndItsResumeByAnotherRunnerIsAccepted() {
    try (Fixture f = new Fixture()) {
      RolloutHandle first = f.runner.start(FIRST);
      first.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      f.runner.close();
      f.advance(Duration.ofMinutes(1));

      CanaryRunner other = f.newRunner("runner-b");
      assertThatThrownBy(() -> other.start(SECOND))
          .as("the runner died, the rollout is still under way")
          .isInstanceOf(CanaryException.class)
          .hasMessageContaining("held by rollout istio-argo-rollouts/rollouts-demo (Paused, step 2/8)");

      RolloutHandle resumed = other.start(FIRST);
      resumed.await(s -> resumed.isDriving(), Duration.ofMinutes(1));
      assertThat(f.events).filteredOn(e -> e.message().startsWith("Resumed")).hasSize(1);
      resumed.abort();
      assertThat(resumed.await(Duration.ofHours(1)).phase()).isEqualTo(Phase.ABORTED);

      RolloutHandle next = other.start(SECOND);
      assertThat(next.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5)).currentWeight()).isEqualTo(20);
      other.close();
    }
  }

  @Test
  void aReleaseWhoseClaimWasTakenBeforeItsFirstSaveDoesNotStartAndLeavesNothingBehind() {
    try (Fixture f = new Fixture()) {
      RolloutHandle first = f.runner.start(FIRST);
      // Between start() and the driver's first turn, the claim is taken (as a stale one would be).
      RolloutKey other = RolloutKey.of(FIRST.namespace(), "other-rollout");
      f.claims.claim(TARGET, other, f.clock.now(), c -> true);
      f.advance(Duration.ofMinutes(1));
      assertThat(first.isDriving()).isFalse();
      assertThat(f.store.load(FIRST.key())).as("no status saved").isEmpty();
      assertThat(f.driver(FIRST.key())).as("no owner kept").isEmpty();
      assertThat(f.router.weights(FIRST.key())).isEmpty();
      assertThat(f.workloads.canaryExists(FIRST.key())).isFalse();
      assertThat(f.claims.holder(TARGET).map(Claim::rollout)).contains(other);
    }
  }

  private static Optional<RolloutHandle> outcome(Future<RolloutHandle> started) throws Exception {
    try {
      return Optional.of(started.get(10, TimeUnit.SECONDS));
    } catch (java.util.concurrent.ExecutionException e) {
      return Optional.empty();
    }
  }

  private static Throwable catchRefusal(Future<RolloutHandle> started) throws Exception {
    try {
      started.get(10, TimeUnit.SECONDS);
      throw new AssertionError("expected a refusal");
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
  }
}
