package io.canary.core.memory;

import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Problem;
import io.canary.core.Revision;
import io.canary.core.Revisions;
import io.canary.core.RolloutKey;
import io.canary.core.internal.SpecFingerprint;
import io.canary.core.spi.CanaryScale;
import io.canary.core.spi.RevisionState;
import io.canary.core.spi.WorkloadState;
import io.canary.core.spi.Workloads;
import io.canary.core.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Workloads simulated in memory on the runner's scheduler: pods asked for become ready after a
 * start-up delay, a promotion rolls the stable workload over, and every call is logged for
 * assertions. Readiness is reported through {@link #watch} callbacks, as a real adapter's watch would.
 */
public final class InMemoryWorkloads implements Workloads {
  /** The pod label the simulated revisions are told apart by. */
  public static final String REVISION_LABEL = "canary.io/revision";

  private final Scheduler scheduler;
  private final int defaultStableReplicas;
  private final Duration startupDelay;
  private final Map<RolloutKey, Sim> sims = new HashMap<>();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final List<Problem> problems = new ArrayList<>();
  private int failingEnsures;
  private RuntimeException ensureFailure;
  /** Per target workload, the revisions promoted onto it, oldest first. */
  private final Map<String, List<NewRevision>> promoted = new HashMap<>();
  private boolean readinessHeld;

  private InMemoryWorkloads(Scheduler scheduler, int stableReplicas, Duration startupDelay) {
    this.scheduler = scheduler;
    this.defaultStableReplicas = stableReplicas;
    this.startupDelay = startupDelay;
  }

  /** Stable workloads of {@code stableReplicas} ready pods; new pods ready after {@code startupDelay}. */
  public static InMemoryWorkloads create(Scheduler scheduler, int stableReplicas, Duration startupDelay) {
    if (stableReplicas < 0) {
      throw new IllegalArgumentException("InMemoryWorkloads stableReplicas must not be negative, was " + stableReplicas);
    }
    return new InMemoryWorkloads(scheduler, stableReplicas, startupDelay);
  }

  /** Five stable pods; new pods ready after 10 seconds. */
  public static InMemoryWorkloads create(Scheduler scheduler) {
    return create(scheduler, 5, Duration.ofSeconds(10));
  }

  @Override
  public synchronized List<Problem> validate(CanarySpec spec) {
    return List.copyOf(problems);
  }

  @Override
  public synchronized Revisions previewRevisions(CanarySpec spec) {
    return revisionsOf(spec);
  }

  @Override
  public synchronized Revisions ensureCanary(CanarySpec spec) {
    if (failingEnsures > 0) {
      failingEnsures--;
      throw ensureFailure;
    }
    calls.add("ensureCanary");
    Sim sim = sims.computeIfAbsent(spec.key(), k -> new Sim(defaultStableReplicas));
    sim.canaryExists = true;
    sim.canaryLost = Optional.empty();
    Revisions revisions = revisionsOf(spec);
    sim.canaryName = revisions.canary().workload();
    return revisions;
  }

  @Override
  public synchronized void scaleCanary(CanarySpec spec, Revisions revisions, CanaryScale request) {
    calls.add("scaleCanary " + request.replicas() + (request.isFixed() ? " fixed" : ""));
    Sim sim = sim(spec);
    sim.canary.scale(request.replicas());
    settleLater(spec.key());
  }

  @Override
  public synchronized void trafficShifted(CanarySpec spec, Revisions revisions, int canaryWeight) {
    calls.add("trafficShifted " + canaryWeight);
  }

  @Override
  public synchronized void scaleStable(CanarySpec spec, Revisions revisions, Optional<Integer> replicas) {
    calls.add("scaleStable " + replicas.map(String::valueOf).orElse("(user's)"));
    Sim sim = sim(spec);
    sim.stable.scale(replicas.orElse(sim.userStableReplicas));
    settleLater(spec.key());
  }

  @Override
  public synchronized WorkloadState observe(CanarySpec spec, Revisions revisions) {
    Sim sim = sims.get(spec.key());
    if (sim == null) {
      return new WorkloadState(pods(revisions.stable(), new Pods(defaultStableReplicas), true), Optional.empty());
    }
    RevisionState stable = pods(sim.promoted ? revisions.canary() : revisions.stable(), sim.stable, !sim.promoted || sim.stableUpdated);
    Optional<RevisionState> canary = sim.canaryExists ? Optional.of(pods(revisions.canary(), sim.canary, true)) : Optional.empty();
    return new WorkloadState(stable, canary);
  }

  /** What {@link #deleteCanaryOutOfBand} or {@link #scaleCanaryOutOfBand} did, until the canary is ensured again. */
  @Override
  public synchronized Optional<String> canaryLost(CanarySpec spec, Revisions revisions) {
    Sim sim = sims.get(spec.key());
    return sim == null ? Optional.empty() : sim.canaryLost;
  }

  @Override
  public synchronized void promote(CanarySpec spec, Revisions revisions) {
    calls.add("promote");
    if (!spec.revision().createsCanaryWorkload()) {
      return;
    }
    List<NewRevision> history = promoted.computeIfAbsent(spec.namespace() + "/" + spec.target().name(), k -> new ArrayList<>());
    if (history.isEmpty() || !history.get(history.size() - 1).equals(spec.revision())) {
      history.add(spec.revision());
    }
    Sim sim = sim(spec);
    sim.promoted = true;
    sim.stableUpdated = false;
    sim.stable.ready = 0;
    settleLater(spec.key());
  }

  /** The revision promoted before {@code spec}'s, when this instance saw both promotions. */
  @Override
  public synchronized Optional<NewRevision> previousRevision(CanarySpec spec) {
    List<NewRevision> history = promoted.getOrDefault(spec.namespace() + "/" + spec.target().name(), List.of());
    int at = history.lastIndexOf(spec.revision());
    return at > 0 ? Optional.of(history.get(at - 1)) : Optional.empty();
  }

  @Override
  public synchronized void removeCanary(CanarySpec spec, Revisions revisions) {
    calls.add("removeCanary");
    Sim sim = sim(spec);
    if (spec.revision().createsCanaryWorkload()) {
      sim.canaryExists = false;
      sim.canary = new Pods(0);
    }
    sim.stable.scale(sim.userStableReplicas);
    settleLater(spec.key());
  }

  @Override
  public synchronized AutoCloseable watch(CanarySpec spec, Revisions revisions, Runnable onChange) {
    Sim sim = sims.computeIfAbsent(spec.key(), k -> new Sim(defaultStableReplicas));
    sim.watchers.add(onChange);
    return () -> sim.watchers.remove(onChange);
  }

  /**
   * Every call the runner made, in order, such as {@code scaleCanary 2} (a pre-scale),
   * {@code scaleCanary 4 fixed} (a setCanaryScale count) or {@code promote}.
   */
  public List<String> calls() {
    return List.copyOf(calls);
  }

  /** Makes {@link #validate} report {@code problem}. */
  public synchronized InMemoryWorkloads reportProblem(Problem problem) {
    problems.add(problem);
    return this;
  }

  /** While held, no new pod becomes ready (a crash-looping canary); releasing lets them start. */
  /** Makes the next {@code times} calls of {@link #ensureCanary} throw {@code failure} (an API that refuses). */
  public synchronized InMemoryWorkloads failEnsureCanary(int times, RuntimeException failure) {
    this.failingEnsures = times;
    this.ensureFailure = failure;
    return this;
  }

  public synchronized void holdReadiness(boolean held) {
    readinessHeld = held;
    if (!held) {
      sims.keySet().forEach(this::settleLater);
    }
  }

  /** The stable workload of {@code key} now runs {@code replicas} pods (an autoscaler or a person moved it). */
  public synchronized void setStableReplicas(RolloutKey key, int replicas) {
    Sim sim = sims.computeIfAbsent(key, k -> new Sim(defaultStableReplicas));
    sim.userStableReplicas = replicas;
    sim.stable = new Pods(replicas);
  }

  /** Someone else deleted {@code key}'s canary workload; watchers are told. */
  public void deleteCanaryOutOfBand(RolloutKey key) {
    List<Runnable> toNotify;
    synchronized (this) {
      Sim sim = sims.get(key);
      if (sim == null || !sim.canaryExists) {
        return;
      }
      sim.canaryExists = false;
      sim.canary = new Pods(0);
      sim.canaryLost = Optional.of("canary workload " + sim.canaryName + " was deleted outside the rollout");
      toNotify = List.copyOf(sim.watchers);
    }
    toNotify.forEach(Runnable::run);
  }

  /** Someone else set the replicas of {@code key}'s canary workload to {@code replicas}; watchers are told. */
  public void scaleCanaryOutOfBand(RolloutKey key, int replicas) {
    List<Runnable> toNotify;
    synchronized (this) {
      Sim sim = sims.get(key);
      if (sim == null || !sim.canaryExists) {
        return;
      }
      if (replicas == 0 && sim.canary.desired > 0) {
        sim.canaryLost = Optional.of("canary workload " + sim.canaryName + " was scaled from " + sim.canary.desired
            + " to 0 replicas outside the rollout");
      }
      sim.canary.scale(replicas);
      toNotify = List.copyOf(sim.watchers);
    }
    toNotify.forEach(Runnable::run);
  }

  /** Ready canary pods of {@code key}. */
  public synchronized int canaryReady(RolloutKey key) {
    Sim sim = sims.get(key);
    return sim == null || !sim.canaryExists ? 0 : sim.canary.ready;
  }

  /** Replicas asked of the stable workload of {@code key}. */
  public synchronized int stableDesired(RolloutKey key) {
    Sim sim = sims.get(key);
    return sim == null ? defaultStableReplicas : sim.stable.desired;
  }

  /** True while {@code key}'s canary workload exists. */
  public synchronized boolean canaryExists(RolloutKey key) {
    Sim sim = sims.get(key);
    return sim != null && sim.canaryExists;
  }

  private void settleLater(RolloutKey key) {
    scheduler.schedule(startupDelay, () -> settle(key));
  }

  private void settle(RolloutKey key) {
    List<Runnable> toNotify;
    synchronized (this) {
      Sim sim = sims.get(key);
      if (sim == null || readinessHeld) {
        return;
      }
      sim.canary.ready = sim.canary.desired;
      sim.stable.ready = sim.stable.desired;
      if (sim.promoted) {
        sim.stableUpdated = true;
      }
      toNotify = List.copyOf(sim.watchers);
    }
    toNotify.forEach(Runnable::run);
  }

  /** The rollout's workloads; a rollout whose canary was never created has its stable workload only. */
  private Sim sim(CanarySpec spec) {
    return sims.computeIfAbsent(spec.key(), k -> new Sim(defaultStableReplicas));
  }

  private static Revisions revisionsOf(CanarySpec spec) {
    String target = spec.target().name();
    String stableHash = "stable0";
    if (spec.revision().existingWorkload().isPresent()) {
      return new Revisions(new Revision(target, stableHash, Map.of()),
          new Revision(spec.revision().existingWorkload().get(), SpecFingerprint.hash(spec), Map.of()));
    }
    String canaryHash = SpecFingerprint.hash(spec);
    return new Revisions(new Revision(target, stableHash, Map.of(REVISION_LABEL, stableHash)),
        new Revision(target + "-canary", canaryHash, Map.of(REVISION_LABEL, canaryHash)));
  }

  private static RevisionState pods(Revision revision, Pods pods, boolean updated) {
    return RevisionState.builder()
        .workload(revision.workload())
        .hash(revision.hash())
        .desired(pods.desired)
        .current(pods.desired)
        .updated(updated ? pods.desired : 0)
        .ready(pods.ready)
        .available(pods.ready)
        .build();
  }

  private static final class Pods {
    int desired;
    int ready;

    Pods(int replicas) {
      this.desired = replicas;
      this.ready = replicas;
    }

    void scale(int replicas) {
      desired = replicas;
      ready = Math.min(ready, replicas);
    }
  }

  private static final class Sim {
    int userStableReplicas;
    Pods stable;
    Pods canary = new Pods(0);
    boolean canaryExists;
    Optional<String> canaryLost = Optional.empty();
    String canaryName = "";
    boolean promoted;
    boolean stableUpdated;
    final Set<Runnable> watchers = new java.util.LinkedHashSet<>();

    Sim(int stableReplicas) {
      this.userStableReplicas = stableReplicas;
      this.stable = new Pods(stableReplicas);
    }
  }
}
