package io.canary.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.memory.InMemoryRunnerLeases;
import io.canary.core.memory.InMemoryStateStore;
import io.canary.core.memory.InMemoryTargetClaims;
import io.canary.core.memory.InMemoryTrafficRouter;
import io.canary.core.memory.InMemoryWorkloads;
import io.canary.core.spi.RetryPolicy;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingConfirmation;
import io.canary.core.spi.RoutingState;
import io.canary.core.spi.TrafficRouter;
import io.canary.core.spi.RunnerLeases;
import io.canary.core.spi.StateStore;
import io.canary.core.spi.Versioned;
import io.canary.core.time.VirtualScheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Faults worth another attempt (the JDK's I/O failures here; fabric8's through canary-client) never
 * fail a rollout nor make its runner stand aside: actions, status saves, lease renewals and start()
 * are tried again after the retry policy's delay, on the virtual clock.
 */
class TransientFaultsTest {
  private static final RuntimeException RESET = new UncheckedIOException(new IOException("Connection reset"));

  private final VirtualScheduler clock = VirtualScheduler.create();
  private final InMemoryTrafficRouter router = new InMemoryTrafficRouter();
  private final InMemoryWorkloads workloads = InMemoryWorkloads.create(clock, 5, Duration.ZERO);
  private final FaultyStore store = new FaultyStore(new InMemoryStateStore());
  private final FaultyLeases lock = new FaultyLeases(new InMemoryRunnerLeases(clock::now));

  private CanaryRunner runner(RetryPolicy policy) {
    return CanaryRunner.builder().trafficRouter(router).workloads(workloads).stateStore(store).leases(lock)
        .claims(new InMemoryTargetClaims()).scheduler(clock).identity("runner-a").retryPolicy(policy).build();
  }

  private static RetryPolicy noJitter() {
    return RetryPolicy.exponential().initialDelay(Duration.ofMillis(200)).jitter(0).build();
  }

  @Test
  void anActionThatFailsTransientlyIsTriedAgainAfterThePolicysDelaysAndSavesNoFailureMessage() {
    try (CanaryRunner runner = runner(noJitter())) {
      CanarySpec spec = RunnerStepsTest.spec(Step.setWeight(20), Step.pause()).build();
      router.failWrites(3, RESET);
      RolloutHandle rollout = runner.start(spec);
      clock.advance(Duration.ofMillis(1399));
      assertThat(router.weights(spec.key())).as("tried at 0, 0.2 s, 0.6 s and 1.4 s: three failed").isEmpty();
      clock.advance(Duration.ofMillis(1));
      assertThat(router.weights(spec.key())).as("the fourth attempt, at 1.4 s").isNotEmpty();
      assertThat(rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofSeconds(5)).currentWeight()).isEqualTo(20);
      assertThat(store.delegate.history(spec.key())).as("no status saved to say a transient fault is being retried")
          .allSatisfy(s -> assertThat(s.message().orElse("")).doesNotContain("Connection reset"));
    }
  }

  @Test
  void aStatusSaveAnsweredWithAConflictWhileTheStoredStatusIsStillItsOwnIsSavedAgainWithoutStandingAside() {
    try (CanaryRunner runner = runner(noJitter())) {
      CanarySpec spec = RunnerStepsTest.spec(Step.setWeight(20), Step.setWeight(60)).build();
      store.conflictsToAnswer.set(3);
      RolloutHandle rollout = runner.start(spec);
      // A stand-by would last a lease (15 s) per conflict: through both steps within 5 s there was none.
      rollout.await(s -> s.phase() == Phase.PROMOTING, Duration.ofSeconds(5));
      assertThat(rollout.isDriving()).isTrue();
      assertThat(rollout.await(Duration.ofMinutes(5)).phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(store.conflictsToAnswer.get()).as("every conflict was answered").isZero();
    }
  }

  @Test
  void aStatusSaveAnsweredWithOneConflictReadsTheStoredStatusOnceAndLandsWithTheNextWrite() {
    try (CanaryRunner runner = runner(noJitter())) {
      CanarySpec spec = RunnerStepsTest.spec(Step.setWeight(20), Step.pause()).build();
      RolloutHandle rollout = runner.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofSeconds(5));
      int loads = store.loads.get();
      int saves = store.saves.get();
      int stored = store.delegate.history(spec.key()).size();
      store.conflictsToAnswer.set(1);

      var promoting = rollout.promote();
      clock.runDue();
      RolloutStatus promoted = promoting.join();

      assertThat(store.loads.get() - loads).as("reads of the stored status after the conflict").isEqualTo(1);
      assertThat(store.delegate.history(spec.key()).size() - stored).as("statuses stored since").isPositive();
      assertThat(store.saves.get() - saves).as("writes: the one answered with the conflict, then each that landed")
          .isEqualTo(store.delegate.history(spec.key()).size() - stored + 1);
      assertThat(store.delegate.history(spec.key()).get(stored).phase()).as("the promotion, saved again after the conflict")
          .isEqualTo(Phase.PROGRESSING);
      assertThat(promoted.phase()).as("the control's answer, after the conflict").isEqualTo(Phase.PROMOTING);
      assertThat(rollout.isDriving()).isTrue();
    }
  }

  @Test
  void aStatusSaveStepsAsideWhenAnotherRunnerReallySavedFirst() {
    try (CanaryRunner runner = runner(noJitter())) {
      CanarySpec spec = RunnerStepsTest.spec(Step.setWeight(20), Step.pause()).build();
      RolloutHandle rollout = runner.start(spec);
      RolloutStatus paused = rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofSeconds(5));
      Versioned<RolloutStatus> stored = store.load(spec.key()).orElseThrow();
      store.compareAndSet(spec.key(), Optional.of(stored.version()), RolloutStatus.copyOf(paused).withMessage("saved by another runner"));
      rollout.promote();
      clock.advance(Duration.ofSeconds(1));
      assertThat(rollout.isDriving()).as("another runner's save is respected").isFalse();
    }
  }

  @Test
  void aLeaseRenewalThatFailsIsTriedAgainAndTheRunnerKeepsDriving() {
    try (CanaryRunner runner = runner(noJitter())) {
      CanarySpec spec = RunnerStepsTest.spec(Step.setWeight(20), Step.pause(Duration.ofMinutes(1)), Step.setWeight(60)).build();
      RolloutHandle rollout = runner.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofSeconds(5));
      lock.failures.set(4);
      for (int second = 0; second < 20; second++) {
        clock.advance(Duration.ofSeconds(1));
        assertThat(rollout.isDriving()).as("driving %d s into the failing renewals", second + 1).isTrue();
      }
      assertThat(lock.failures.get()).as("the four renewals failed, and were tried again").isZero();
      assertThat(rollout.await(Duration.ofMinutes(5)).phase()).isEqualTo(Phase.SUCCEEDED);
    }
  }

  @Test
  void aLeaseThatCannotBeRenewedUntilItsRenewDeadlineIsLost() {
    try (CanaryRunner runner = runner(noJitter())) {
      CanarySpec spec = RunnerStepsTest.spec(Step.setWeight(20), Step.pause()).build();
      RolloutHandle rollout = runner.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofSeconds(5));
      lock.failures.set(Integer.MAX_VALUE);
      // Renewed at 5 s (a third of 15 s) after the last one; the renew deadline is 10 s after it.
      clock.advance(Duration.ofSeconds(9));
      assertThat(rollout.isDriving()).as("within the renew deadline").isTrue();
      clock.advance(Duration.ofSeconds(2));
      assertThat(rollout.isDriving()).as("past the renew deadline, with no renewal since").isFalse();
    }
  }

  @Test
  void aWeightWrittenWhoseSaveFailedIsNotWaitedForAsTheOlderWeight() {
    // A router whose confirmation, like the Gateway API's, is true only for the routing it holds now.
    AtomicBoolean failedOnce = new AtomicBoolean();
    TrafficRouter confirming = new TrafficRouter() {
      @Override
      public List<Problem> validate(CanarySpec spec) {
        return router.validate(spec);
      }

      @Override
      public void apply(CanarySpec spec, RoutingState desired) {
        router.apply(spec, desired);
        if (desired.canaryWeight() == 60 && !failedOnce.getAndSet(true)) {
          store.saveFailures.set(1); // the save after the first write of 60 fails
        }
      }

      @Override
      public List<RouteWeight> currentWeights(CanarySpec spec) {
        return router.currentWeights(spec);
      }

      @Override
      public RoutingConfirmation confirmation(CanarySpec spec, RoutingState applied) {
        return router.routing(spec.key()).filter(held -> held.canaryWeight() == applied.canaryWeight()).isPresent()
            ? RoutingConfirmation.confirmed()
            : RoutingConfirmation.pending("WriteNotSeen", "the routing holds another weight");
      }
    };
    try (CanaryRunner runner = CanaryRunner.builder().trafficRouter(confirming).workloads(workloads).stateStore(store)
        .leases(lock).claims(new InMemoryTargetClaims()).scheduler(clock).retryPolicy(noJitter()).build()) {
      CanarySpec spec = RunnerStepsTest.spec(Step.setWeight(20), Step.setWeight(60), Step.pause()).build();
      RolloutHandle rollout = runner.start(spec);
      RolloutStatus paused = rollout.await(s -> s.phase() == Phase.PAUSED || s.phase().isTerminal(), Duration.ofMinutes(30));
      assertThat(failedOnce).as("the save after the write of 60 failed").isTrue();
      assertThat(paused.phase()).as("%s", paused).isEqualTo(Phase.PAUSED);
      assertThat(paused.currentWeight()).isEqualTo(60);
    }
  }

  @Test
  void startTriesItsReadsAgainOnATransientFaultAndThrowsALastingOne() {
    try (CanaryRunner runner = runner(noJitter())) {
      CanarySpec spec = RunnerStepsTest.spec(Step.setWeight(20)).build();
      store.loadFailures.set(3);
      RolloutHandle rollout = runner.start(spec);
      assertThat(store.loadFailures.get()).isZero();
      assertThat(rollout.await(Duration.ofMinutes(5)).phase()).isEqualTo(Phase.SUCCEEDED);

      CanarySpec other = RunnerStepsTest.spec(Step.setWeight(20)).name("other").target(WorkloadRef.deployment("other")).build();
      store.lastingLoadFailure = new CanaryException("forbidden: configmaps is forbidden");
      assertThatThrownBy(() -> runner.start(other)).hasMessageContaining("forbidden");
    }
  }

  @Test
  void startGivesUpOnceThePolicysAttemptsAreSpent() {
    try (CanaryRunner runner = runner(RetryPolicy.exponential().maxAttempts(3).build())) {
      store.loadFailures.set(3);
      assertThatThrownBy(() -> runner.start(RunnerStepsTest.spec(Step.setWeight(20)).build()))
          .hasMessageContaining("Connection reset");
      assertThat(store.loadFailures.get()).as("three attempts in all").isZero();
    }
  }

  /** A store whose next loads fail, or whose next saves are answered with a conflict without being stored. */
  private static final class FaultyStore implements StateStore {
    final InMemoryStateStore delegate;
    final AtomicInteger loadFailures = new AtomicInteger();
    final AtomicInteger conflictsToAnswer = new AtomicInteger();
    final AtomicInteger saveFailures = new AtomicInteger();
    final AtomicInteger loads = new AtomicInteger();
    final AtomicInteger saves = new AtomicInteger();
    volatile RuntimeException lastingLoadFailure;

    FaultyStore(InMemoryStateStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public Optional<Versioned<RolloutStatus>> load(RolloutKey key) {
      loads.incrementAndGet();
      if (lastingLoadFailure != null) {
        throw lastingLoadFailure;
      }
      if (loadFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw RESET;
      }
      return delegate.load(key);
    }

    @Override
    public String compareAndSet(RolloutKey key, Optional<String> expectedVersion, RolloutStatus status) {
      saves.incrementAndGet();
      if (conflictsToAnswer.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new ConflictException("409 answered by a proxy");
      }
      if (saveFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw RESET;
      }
      return delegate.compareAndSet(key, expectedVersion, status);
    }

    @Override
    public List<RolloutKey> list() {
      return delegate.list();
    }

    @Override
    public void delete(RolloutKey key) {
      delegate.delete(key);
    }
  }

  /** Runner leases whose next renewals fail with a connection reset. */
  private static final class FaultyLeases implements RunnerLeases {
    final RunnerLeases delegate;
    final AtomicInteger failures = new AtomicInteger();

    FaultyLeases(RunnerLeases delegate) {
      this.delegate = delegate;
    }

    @Override
    public java.util.OptionalLong acquire(String runner, Duration duration, java.util.OptionalLong previous) {
      return delegate.acquire(runner, duration, previous);
    }

    @Override
    public boolean renew(String runner, long epoch, Duration duration) {
      if (failures.getAndUpdate(n -> n == Integer.MAX_VALUE ? n : Math.max(0, n - 1)) > 0) {
        throw RESET;
      }
      return delegate.renew(runner, epoch, duration);
    }

    @Override
    public boolean holds(RolloutOwner owner) {
      return delegate.holds(owner);
    }

    @Override
    public void release(String runner, long epoch) {
      delegate.release(runner, epoch);
    }

    @Override
    public boolean costsRequests() {
      return delegate.costsRequests();
    }
  }
}
