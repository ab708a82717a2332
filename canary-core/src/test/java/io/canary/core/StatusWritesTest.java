package io.canary.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.event.RolloutEvent;
import io.canary.core.memory.InMemoryRunnerLeases;
import io.canary.core.memory.InMemoryStateStore;
import io.canary.core.memory.InMemoryTargetClaims;
import io.canary.core.memory.InMemoryTrafficRouter;
import io.canary.core.memory.InMemoryWorkloads;
import io.canary.core.spi.CanaryScale;
import io.canary.core.spi.RenderedObject;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingConfirmation;
import io.canary.core.spi.RoutingState;
import io.canary.core.spi.StateStore;
import io.canary.core.spi.TrafficRouter;
import io.canary.core.spi.Versioned;
import io.canary.core.spi.WorkloadState;
import io.canary.core.spi.Workloads;
import io.canary.core.time.VirtualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * At most one status write per transition, over whole rollouts on in-memory adapters: every write
 * tells at least one event (two exceptions, saves right after an action that must be stored and no
 * event tells: the stable pinned, whose labels a roll-back gives back, and the stable workload taking
 * the new revision, after which there is no roll-back), and of two writes at one instant, the first is the save right
 * after an action on the cluster or an action comes between them (else they would be one transition
 * spread over two writes).
 */
class StatusWritesTest {

  /** SimulationSpeed's plan: setWeight 10, 20 ... 100, each followed by a pause of an hour. */
  static CanarySpec tenSteps() {
    ImmutableCanarySpec.Builder b = RunnerStepsTest.spec();
    for (int weight = 10; weight <= 100; weight += 10) {
      b.addSteps(Step.setWeight(weight), Step.pause(Duration.ofHours(1)));
    }
    return b.build();
  }

  /** ManyRollouts' plan: two weights, two pauses, promotion. */
  static CanarySpec twoWeights() {
    return RunnerStepsTest.spec(Step.setWeight(20), Step.pause(Duration.ofSeconds(2)), Step.setWeight(50),
        Step.pause(Duration.ofSeconds(2))).scaleDownDelay(Duration.ofSeconds(2)).build();
  }

  @Test
  void aTenStepRolloutWritesItsStatusOncePerTransition() {
    Journal j = run(tenSteps(), 5, false);
    j.assertOneWritePerTransition();
    // Each weight (with the pause after it) and each pause's end is a transition of its own.
    assertThat(j.writes()).hasSizeGreaterThanOrEqualTo(20);
  }

  @Test
  void aTwoWeightRolloutWritesItsStatusOncePerTransition() {
    Journal j = run(twoWeights(), 2, false);
    j.assertOneWritePerTransition();
  }

  @Test
  void aRolloutPromotedByHandWritesItsStatusOncePerTransition() {
    Journal j = run(Scenarios.rolloutsDemo(), 5, true);
    j.assertOneWritePerTransition();
  }

  @Test
  void aWeightAndThePauseAfterItAreOneWriteTellingBothAndTheEventsCarryTheSavedStatus() {
    Journal j = run(twoWeights(), 2, false);
    Entry write = j.writes().stream().filter(w -> w.status().currentWeight() == 50).findFirst().orElseThrow();
    assertThat(write.status().phase()).isEqualTo(Phase.PAUSED);
    assertThat(j.toldBy(write)).extracting(e -> e.event().reason())
        .containsExactly("WeightChanged", "StepStarted", "PhaseChanged");
    assertThat(j.toldBy(write)).allSatisfy(e -> assertThat(e.event().status()).isEqualTo(write.status()));
  }

  private static Journal run(CanarySpec spec, int stableReplicas, boolean promoteEveryPause) {
    VirtualScheduler clock = VirtualScheduler.create();
    Journal journal = new Journal(clock);
    InMemoryStateStore memory = new InMemoryStateStore();
    CanaryRunner runner = CanaryRunner.builder()
        .trafficRouter(journal.router(new InMemoryTrafficRouter()))
        .workloads(journal.workloads(InMemoryWorkloads.create(clock, stableReplicas, Duration.ofSeconds(10))))
        .stateStore(journal.store(memory))
        .leases(new InMemoryRunnerLeases(clock::now))
        .claims(new InMemoryTargetClaims())
        .scheduler(clock)
        .addListener(journal::told)
        .build();
    try (runner) {
      RolloutHandle rollout = runner.start(spec);
      RolloutStatus done;
      if (promoteEveryPause) {
        while (!(done = rollout.await(s -> s.phase().isTerminal()
            || s.pauseReason().equals(Optional.of(PauseReason.CanaryPauseStep)) && s.timers().pauseUntil().isEmpty(),
            Duration.ofHours(12))).phase().isTerminal()) {
          clock.advance(Duration.ofMinutes(1)); // a person looks, then promotes: a transition of its own
          rollout.promote();
        }
      } else {
        done = rollout.await(Duration.ofHours(12));
      }
      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
    }
    assertThat(journal.writes()).as("the counting store's compareAndSet calls, against the statuses it holds")
        .hasSize(memory.history(spec.key()).size());
    return journal;
  }

  enum Kind { WRITE, EVENT, ACTION }

  record Entry(Kind kind, Instant at, String what, RolloutStatus status, RolloutEvent event) {}

  /** Status writes, events and the actions on the (in-memory) cluster, in the order they happened. */
  static final class Journal {
    private final VirtualScheduler clock;
    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    Journal(VirtualScheduler clock) {
      this.clock = clock;
    }

    void told(RolloutEvent e) {
      entries.add(new Entry(Kind.EVENT, clock.now(), e.reason(), e.status(), e));
    }

    void acted(String what) {
      entries.add(new Entry(Kind.ACTION, clock.now(), what, null, null));
    }

    List<Entry> writes() {
      return entries.stream().filter(e -> e.kind() == Kind.WRITE).toList();
    }

    /** The events a write told: those after it, before the next write or action. */
    List<Entry> toldBy(Entry write) {
      List<Entry> told = new ArrayList<>();
      for (int i = entries.indexOf(write) + 1; i < entries.size() && entries.get(i).kind() == Kind.EVENT; i++) {
        told.add(entries.get(i));
      }
      return told;
    }

    /**
     * Every write tells an event, but the saves of the pinned and of the promoted stable; of two writes at one instant, the
     * first follows an action or one comes between them; and so the writes are exactly the transitions the events show, plus that one.
     */
    void assertOneWritePerTransition() {
      List<Entry> writes = writes();
      List<Entry> silent = writes.stream().filter(w -> toldBy(w).isEmpty()).toList();
      assertThat(silent).as("writes that tell no event: the pinned stable's, the promoted stable's")
          .extracting(w -> w.status().phase() + " " + w.status().stage())
          .containsExactly("PENDING NONE", "PROMOTING PROMOTE_STABLE");
      assertThat(silent.get(0).status().revisions()).isPresent();
      int transitions = 0;
      for (int i = 0; i < entries.size(); i++) {
        boolean groupStarts = entries.get(i).kind() == Kind.EVENT && (i == 0 || entries.get(i - 1).kind() != Kind.EVENT);
        transitions += groupStarts ? 1 : 0;
      }
      assertThat(writes).as("status writes against the transitions the events show (+2: the pinned and the promoted stable)")
          .hasSize(transitions + 2);
      for (int i = 1; i < writes.size(); i++) {
        Entry previous = writes.get(i - 1);
        Entry write = writes.get(i);
        assertThat(write.status()).as("write %d repeats the status before it", i + 1).isNotEqualTo(previous.status());
        if (write.at().equals(previous.at())) {
          // The save right after an action is made at once, so what is decided after it is saved on its own.
          int from = i >= 2 ? entries.indexOf(writes.get(i - 2)) + 1 : 0;
          List<Entry> around = entries.subList(from, entries.indexOf(write));
          assertThat(around).as("write %d (%s, step %d) at the same instant as the one before, neither after an action:"
              + " one transition in two writes", i + 1, write.status().phase(), write.status().stepIndex())
              .anyMatch(e -> e.kind() == Kind.ACTION);
        }
      }
    }

    StateStore store(StateStore delegate) {
      return new StateStore() {
        @Override
        public Optional<Versioned<RolloutStatus>> load(RolloutKey key) {
          return delegate.load(key);
        }

        @Override
        public String compareAndSet(RolloutKey key, Optional<String> expectedVersion, RolloutStatus status) {
          String version = delegate.compareAndSet(key, expectedVersion, status);
          entries.add(new Entry(Kind.WRITE, clock.now(), "status", status, null));
          return version;
        }

        @Override
        public List<RolloutKey> list() {
          return delegate.list();
        }

        @Override
        public void delete(RolloutKey key) {
          delegate.delete(key);
        }
      };
    }

    TrafficRouter router(TrafficRouter delegate) {
      return new TrafficRouter() {
        @Override
        public List<Problem> validate(CanarySpec spec) {
          return delegate.validate(spec);
        }

        @Override
        public void apply(CanarySpec spec, RoutingState desired) {
          delegate.apply(spec, desired);
          acted("apply weight " + desired.canaryWeight());
        }

        @Override
        public List<RouteWeight> currentWeights(CanarySpec spec) {
          return delegate.currentWeights(spec);
        }

        @Override
        public RoutingConfirmation confirmation(CanarySpec spec, RoutingState applied) {
          return delegate.confirmation(spec, applied);
        }

        @Override
        public AutoCloseable watchConfirmation(CanarySpec spec, Runnable onChange) {
          return delegate.watchConfirmation(spec, onChange);
        }

        @Override
        public AutoCloseable watchRouting(CanarySpec spec, Consumer<List<RouteWeight>> onChange) {
          return delegate.watchRouting(spec, onChange);
        }

        @Override
        public List<RenderedObject> render(CanarySpec spec, RoutingState desired) {
          return delegate.render(spec, desired);
        }
      };
    }

    Workloads workloads(Workloads delegate) {
      return new Workloads() {
        @Override
        public List<Problem> validate(CanarySpec spec) {
          return delegate.validate(spec);
        }

        @Override
        public Revisions previewRevisions(CanarySpec spec) {
          return delegate.previewRevisions(spec);
        }

        @Override
        public Revisions ensureCanary(CanarySpec spec) {
          Revisions revisions = delegate.ensureCanary(spec);
          acted("ensure canary");
          return revisions;
        }

        @Override
        public void scaleCanary(CanarySpec spec, Revisions revisions, CanaryScale request) {
          delegate.scaleCanary(spec, revisions, request);
          acted("scale canary " + request);
        }

        @Override
        public void trafficShifted(CanarySpec spec, Revisions revisions, int canaryWeight) {
          delegate.trafficShifted(spec, revisions, canaryWeight);
        }

        @Override
        public void scaleStable(CanarySpec spec, Revisions revisions, Optional<Integer> replicas) {
          delegate.scaleStable(spec, revisions, replicas);
          acted("scale stable " + replicas);
        }

        @Override
        public WorkloadState observe(CanarySpec spec, Revisions revisions) {
          return delegate.observe(spec, revisions);
        }

        @Override
        public void promote(CanarySpec spec, Revisions revisions) {
          delegate.promote(spec, revisions);
          acted("promote");
        }

        @Override
        public boolean promotionComplete(CanarySpec spec, Revisions revisions) {
          return delegate.promotionComplete(spec, revisions);
        }

        @Override
        public void removeCanary(CanarySpec spec, Revisions revisions) {
          delegate.removeCanary(spec, revisions);
          acted("remove canary");
        }

        @Override
        public Optional<NewRevision> previousRevision(CanarySpec spec) {
          return delegate.previousRevision(spec);
        }

        @Override
        public Optional<String> canaryLost(CanarySpec spec, Revisions revisions) {
          return delegate.canaryLost(spec, revisions);
        }

        @Override
        public AutoCloseable watch(CanarySpec spec, Revisions revisions, Runnable onChange) {
          return delegate.watch(spec, revisions, onChange);
        }
      };
    }
  }
}
