package io.canary.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.memory.InMemoryRunnerLeases;
import io.canary.core.memory.InMemoryStateStore;
import io.canary.core.memory.InMemoryTargetClaims;
import io.canary.core.memory.InMemoryTrafficRouter;
import io.canary.core.memory.InMemoryWorkloads;
import io.canary.core.spi.RunnerLeases;
import io.canary.core.time.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * One lease per runner: what it costs with many rollouts, a takeover when a runner stops renewing, and
 * what a virtual clock sends while it idles. Ownership is read from the stored statuses.
 */
class RunnerLeaseTest {
  private static final Duration LEASE = Duration.ofSeconds(15);

  private final VirtualScheduler clock = VirtualScheduler.create();
  private final InMemoryTrafficRouter router = new InMemoryTrafficRouter();
  private final InMemoryWorkloads workloads = InMemoryWorkloads.create(clock, 4, Duration.ZERO);
  private final InMemoryStateStore store = new InMemoryStateStore();
  private final InMemoryTargetClaims claims = new InMemoryTargetClaims();
  private final InMemoryRunnerLeases memory = new InMemoryRunnerLeases(clock::now);

  private CanaryRunner runner(String identity, RunnerLeases leases) {
    return CanaryRunner.builder().trafficRouter(router).workloads(workloads).stateStore(store).claims(claims)
        .leases(leases).scheduler(clock).identity(identity).leaseDuration(LEASE).build();
  }

  private static CanarySpec spec(String name, Step... steps) {
    return RunnerStepsTest.spec(steps).name(name).target(WorkloadRef.deployment(name)).build();
  }

  private String owner(CanarySpec spec) {
    return store.load(spec.key()).flatMap(v -> v.value().owner()).map(RolloutOwner::runner).orElse("");
  }

  @Test
  void twoHundredRolloutsShareOneLeaseWhichIsGivenUpWhenTheLastHasEnded() {
    Counting leases = new Counting(memory, true);
    try (CanaryRunner runner = runner("runner-a", leases)) {
      List<RolloutHandle> handles = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        handles.add(runner.start(spec("app-" + i, Step.setWeight(20), Step.pause(Duration.ofHours(1)), Step.setWeight(50))));
      }
      clock.advance(Duration.ofMinutes(1));
      assertThat(handles).allSatisfy(h -> assertThat(h.status().phase()).isEqualTo(Phase.PAUSED));
      assertThat(leases.acquires).as("one take for 200 rollouts").hasValue(1);
      long epoch = store.load(handles.get(0).key()).orElseThrow().value().owner().orElseThrow().epoch();
      assertThat(handles).allSatisfy(h -> assertThat(store.load(h.key()).orElseThrow().value().owner())
          .contains(new RolloutOwner("runner-a", epoch)));

      int before = leases.calls();
      clock.advance(Duration.ofMinutes(50));
      assertThat(leases.calls() - before).as("lease calls in 50 idle minutes of virtual time").isZero();

      clock.advance(Duration.ofMinutes(30));
      assertThat(handles).allSatisfy(h -> assertThat(h.status().phase()).isEqualTo(Phase.SUCCEEDED));
      assertThat(leases.renewals.get()).as("renewed when the rollouts woke (one instant), not per rollout")
          .isLessThanOrEqualTo(3);
      assertThat(leases.releases).as("given up once the last rollout ended").hasValue(1);
      assertThat(memory.epoch("runner-a")).isEmpty();
    }
  }

  @Test
  void aRunnerThatStopsRenewingStopsActingBeforeAnotherTakesItsRolloutOverWithinTheLease() throws Exception {
    Counting leasesA = new Counting(memory, false);
    CanarySpec spec = spec("web", Step.setWeight(20), Step.pause(), Step.setWeight(60));
    try (CanaryRunner a = runner("runner-a", leasesA); CanaryRunner b = runner("runner-b", memory)) {
      RolloutHandle onA = a.start(spec);
      onA.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(1));
      RolloutHandle onB = b.start(spec);
      clock.advance(Duration.ofMinutes(2));
      assertThat(onA.isDriving()).as("runner-a renews its lease").isTrue();
      assertThat(onB.isDriving()).isFalse();
      assertThat(owner(spec)).isEqualTo("runner-a");

      leasesA.failRenewals.set(true);
      int secondsUntilB = -1;
      for (int second = 1; second <= 60; second++) {
        clock.advance(Duration.ofSeconds(1));
        assertThat(onA.isDriving() && onB.isDriving()).as("both driving at %d s", second).isFalse();
        if (second > 10) {
          assertThat(onA.isDriving()).as("runner-a past its renew deadline (%d s)", second).isFalse();
        }
        if (onB.isDriving() && secondsUntilB < 0) {
          secondsUntilB = second;
        }
      }
      // Last renewal at most 5 s before the failures; its lease runs out 15 s after it; runner-b looks
      // again every lease duration.
      assertThat(secondsUntilB).as("seconds until runner-b drove").isBetween(10, 30);
      assertThat(owner(spec)).isEqualTo("runner-b");
      var refused = onA.promote();
      clock.runDue();
      assertThatThrownBy(refused::get).isInstanceOf(ExecutionException.class).hasMessageContaining("another runner drives it");

      onB.promote();
      assertThat(onB.await(Duration.ofMinutes(10)).phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(router.weights(spec.key())).as("as an uninterrupted run writes them").containsExactly(0, 20, 60, 60, 0, 0);
    }
  }

  @Test
  void onAVirtualClockAnIdleRunnerSendsNothingAndAStandbyThatTakesItsRolloutOverIsTheOnlyDriverAfter() {
    Counting leasesA = new Counting(memory, true);
    Counting leasesB = new Counting(memory, true);
    CanarySpec spec = spec("web", Step.setWeight(20), Step.pause(Duration.ofHours(1)), Step.setWeight(60));
    try (CanaryRunner a = runner("runner-a", leasesA); CanaryRunner b = runner("runner-b", leasesB)) {
      RolloutHandle onA = a.start(spec);
      onA.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(1));
      int idleBefore = leasesA.calls();
      RolloutHandle onB = b.start(spec);
      clock.advance(Duration.ofMinutes(10));
      assertThat(leasesA.calls() - idleBefore).as("runner-a's lease calls while it waited").isZero();
      // runner-a's lease ran out unrenewed: runner-b, standing by, revoked it and took the rollout over.
      assertThat(onB.isDriving()).isTrue();
      assertThat(owner(spec)).isEqualTo("runner-b");

      RolloutStatus done = onB.await(Duration.ofHours(2));
      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(onA.isDriving()).as("runner-a found its epoch revoked when it woke").isFalse();
      assertThat(router.weights(spec.key())).as("as an uninterrupted run writes them").containsExactly(0, 20, 60, 60, 0, 0);
    }
  }

  /** Counts each call; renewals may be made to fail; says whether renewals cost requests. */
  private static final class Counting implements RunnerLeases {
    final RunnerLeases delegate;
    final boolean costsRequests;
    final AtomicInteger acquires = new AtomicInteger();
    final AtomicInteger renewals = new AtomicInteger();
    final AtomicInteger holds = new AtomicInteger();
    final AtomicInteger releases = new AtomicInteger();
    final AtomicBoolean failRenewals = new AtomicBoolean();

    Counting(RunnerLeases delegate, boolean costsRequests) {
      this.delegate = delegate;
      this.costsRequests = costsRequests;
    }

    int calls() {
      return acquires.get() + renewals.get() + holds.get() + releases.get();
    }

    @Override
    public OptionalLong acquire(String runner, Duration duration, OptionalLong previous) {
      acquires.incrementAndGet();
      return delegate.acquire(runner, duration, previous);
    }

    @Override
    public boolean renew(String runner, long epoch, Duration duration) {
      renewals.incrementAndGet();
      if (failRenewals.get()) {
        throw new java.io.UncheckedIOException(new java.io.IOException("Connection reset"));
      }
      return delegate.renew(runner, epoch, duration);
    }

    @Override
    public boolean holds(RolloutOwner owner) {
      holds.incrementAndGet();
      return delegate.holds(owner);
    }

    @Override
    public void release(String runner, long epoch) {
      releases.incrementAndGet();
      delegate.release(runner, epoch);
    }

    @Override
    public boolean costsRequests() {
      return costsRequests;
    }
  }
}
