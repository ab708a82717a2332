package io.canary.core;

import io.canary.core.event.RolloutEvent;
import io.canary.core.memory.InMemoryRunnerLeases;
import io.canary.core.memory.InMemoryStateStore;
import io.canary.core.memory.InMemoryTargetClaims;
import io.canary.core.memory.InMemoryTrafficRouter;
import io.canary.core.memory.InMemoryWorkloads;
import io.canary.core.time.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A runner on in-memory adapters and a virtual clock, with everything a test wants to look at. */
final class Fixture implements AutoCloseable {
  final VirtualScheduler clock = VirtualScheduler.create();
  final InMemoryTrafficRouter router = new InMemoryTrafficRouter();
  final InMemoryWorkloads workloads;
  final InMemoryStateStore store = new InMemoryStateStore();
  final InMemoryRunnerLeases leases = new InMemoryRunnerLeases(clock::now);
  final InMemoryTargetClaims claims = new InMemoryTargetClaims();
  final List<RolloutEvent> events = new CopyOnWriteArrayList<>();
  final CanaryRunner runner;

  Fixture() {
    this(5, Duration.ofSeconds(10));
  }

  Fixture(int stableReplicas, Duration podStartup) {
    workloads = InMemoryWorkloads.create(clock, stableReplicas, podStartup);
    runner = newRunner("runner-a");
  }

  CanaryRunner newRunner(String identity) {
    return CanaryRunner.builder()
        .trafficRouter(router)
        .workloads(workloads)
        .stateStore(store)
        .leases(leases)
        .claims(claims)
        .scheduler(clock)
        .identity(identity)
        .addListener(events::add)
        .build();
  }

  /**
   * The runner driving {@code key}: the owner its stored status records, while that runner's lease holds
   * at its epoch (an ended rollout is driven by nobody).
   */
  java.util.Optional<String> driver(RolloutKey key) {
    return store.load(key).filter(v -> !v.value().phase().isTerminal()).flatMap(v -> v.value().owner())
        .filter(o -> leases.epoch(o.runner()).equals(java.util.Optional.of(o.epoch())))
        .map(RolloutOwner::runner);
  }

  /** Lets virtual time pass, running every timer and readiness change due on the way. */
  void advance(Duration d) {
    clock.advance(d);
  }

  List<String> reasons() {
    return events.stream().map(RolloutEvent::reason).toList();
  }

  @Override
  public void close() {
    runner.close();
  }
}
