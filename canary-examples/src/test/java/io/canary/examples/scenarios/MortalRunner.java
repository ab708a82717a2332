package io.canary.examples.scenarios;

import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Problem;
import io.canary.core.Revisions;
import io.canary.core.RolloutKey;
import io.canary.core.RolloutStatus;
import io.canary.core.spi.CanaryScale;
import io.canary.core.spi.RenderedObject;
import io.canary.core.spi.RunnerLeases;
import io.canary.core.RolloutOwner;
import java.util.OptionalLong;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingConfirmation;
import io.canary.core.spi.RoutingState;
import io.canary.core.spi.StateStore;
import io.canary.core.spi.TargetClaims;
import io.canary.core.spi.TargetKey;
import io.canary.core.spi.TrafficRouter;
import io.canary.core.spi.Versioned;
import io.canary.core.spi.WorkloadState;
import io.canary.core.spi.Workloads;
import io.canary.hpa.HpaAwareWorkloads;
import io.canary.kubernetes.ConfigMapStateStore;
import io.canary.kubernetes.ConfigMapTargetClaims;
import io.canary.kubernetes.KubernetesWorkloads;
import io.canary.kubernetes.KubernetesRunnerLeases;
import io.canary.testing.SimulatedCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One runner process of the kill matrix, composed as the README composes a host program (its own
 * client, canary-istio or canary-gateway-api, canary-kubernetes and canary-hpa, the status in
 * ConfigMaps, a Lease per rollout, claims in ConfigMaps), which can die as a process dies.
 *
 * <p>Every adapter the runner was given sits behind one switch: once the process has died, nothing it
 * asks of the cluster reaches it any more, so it hands no lease or claim back, saves nothing and writes
 * nothing. (No Kubernetes Events are recorded: they are no part of what a resume must get right, and
 * each costs two requests.) It dies at its {@link KillPoint}: right after its k-th save
 * of a transition (the status is in the cluster, nothing after it is), or at its k-th save, before it
 * reaches the cluster (the writes of that transition are in the cluster, its status is not).
 */
final class MortalRunner implements AutoCloseable {
  /** Where a runner dies: never, or at its {@code save}-th status save (counted from 1), after or before it lands. */
  record KillPoint(When when, int save) {
    enum When { NEVER, AFTER_SAVE, BEFORE_SAVE }

    static final KillPoint NEVER = new KillPoint(When.NEVER, 0);

    static KillPoint afterSave(int k) {
      return new KillPoint(When.AFTER_SAVE, k);
    }

    static KillPoint beforeSave(int k) {
      return new KillPoint(When.BEFORE_SAVE, k);
    }
  }

  /** A routing write one of the runners made, with the instant it made it. */
  record RoutingWrite(Instant at, String runner, RoutingState state) {}

  /** A request for canary replicas one of the runners made, with the instant it made it. */
  record ScaleRequest(Instant at, String runner, CanaryScale scale) {}

  /** What the runners of one run asked of the cluster, in order, whichever runner asked. */
  record Journal(List<RoutingWrite> routing, List<ScaleRequest> scales, List<RolloutStatus> saves) {
    static Journal create() {
      return new Journal(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
    }
  }

  /** What any call of a dead runner's adapters gets: the process is gone. */
  static final class Dead extends RuntimeException {
    Dead(String identity) {
      super("runner " + identity + " has died", null, false, false);
    }
  }

  final String identity;
  final KubernetesClient client;
  final CanaryRunner runner;
  /** The statuses this runner saved, in order (the census of an uninterrupted run). */
  final List<RolloutStatus> saves = new CopyOnWriteArrayList<>();

  private final KillPoint kill;
  private final KubernetesWorkloads kubernetes;
  private final HpaAwareWorkloads workloads;
  private final TrafficRouter router;
  private final Journal journal;
  private final SimulatedCluster sim;
  private volatile boolean dead;
  private int saveCalls;

  MortalRunner(SimulatedCluster sim, String identity, String namespace, Function<KubernetesClient, TrafficRouter> routers,
      Duration leaseDuration, KillPoint kill, Journal journal) {
    this.sim = sim;
    this.identity = identity;
    this.kill = kill;
    this.journal = journal;
    this.client = sim.newClient();
    this.kubernetes = KubernetesWorkloads.create(client);
    this.workloads = HpaAwareWorkloads.wrap(client, kubernetes);
    this.router = routers.apply(client);
    this.runner = CanaryRunner.builder()
        .identity(identity)
        .trafficRouter(new MortalRouter(router))
        .workloads(new MortalWorkloads(workloads))
        .stateStore(new MortalStore(ConfigMapStateStore.create(client, namespace)))
        .leases(new MortalLeases(KubernetesRunnerLeases.create(client, namespace, sim.scheduler())))
        .claims(new MortalClaims(ConfigMapTargetClaims.create(client, namespace)))
        .leaseDuration(leaseDuration)
        .scheduler(sim.scheduler())
        .build();
  }

  boolean isDead() {
    return dead;
  }

  /**
   * Stops what is left of the process driving: its timers (the runner's close would hand the lease back,
   * but a dead process reaches nothing). Its watches and client stay open until {@link #close}: a client
   * of the simulated cluster closed while watch events are on their way leaves the simulation waiting
   * for them at every settle; the watches only read, and what they tell a dead process is dropped.
   */
  void stop() {
    dead = true;
    runner.close();
  }

  /** Closes the watches and the client, once the cluster is done with. */
  @Override
  public void close() {
    stop();
    closeQuietly(router);
    workloads.close();
    kubernetes.close();
    client.close();
  }

  private static void closeQuietly(Object adapter) {
    if (adapter instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing " + adapter, e);
      }
    }
  }

  private void alive() {
    if (dead) {
      throw new Dead(identity);
    }
  }

  private void die() {
    dead = true;
  }

  private final class MortalStore implements StateStore {
    private final StateStore delegate;

    MortalStore(StateStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public Optional<Versioned<RolloutStatus>> load(RolloutKey key) {
      alive();
      return delegate.load(key);
    }

    @Override
    public String compareAndSet(RolloutKey key, Optional<String> expectedVersion, RolloutStatus status) {
      alive();
      int n = ++saveCalls;
      if (kill.when() == KillPoint.When.BEFORE_SAVE && n == kill.save()) {
        die();
        alive();
      }
      String version = delegate.compareAndSet(key, expectedVersion, status);
      saves.add(status);
      journal.saves().add(status);
      if (kill.when() == KillPoint.When.AFTER_SAVE && n == kill.save()) {
        die();
      }
      return version;
    }

    @Override
    public List<RolloutKey> list() {
      alive();
      return delegate.list();
    }

    @Override
    public void delete(RolloutKey key) {
      alive();
      delegate.delete(key);
    }
  }

  private final class MortalLeases implements RunnerLeases {
    private final RunnerLeases delegate;

    MortalLeases(RunnerLeases delegate) {
      this.delegate = delegate;
    }

    @Override
    public OptionalLong acquire(String runner, Duration duration, OptionalLong previous) {
      alive();
      return delegate.acquire(runner, duration, previous);
    }

    @Override
    public boolean renew(String runner, long epoch, Duration duration) {
      alive();
      return delegate.renew(runner, epoch, duration);
    }

    @Override
    public boolean holds(RolloutOwner owner) {
      alive();
      return delegate.holds(owner);
    }

    @Override
    public void release(String runner, long epoch) {
      alive();
      delegate.release(runner, epoch);
    }
  }

  private final class MortalClaims implements TargetClaims {
    private final TargetClaims delegate;

    MortalClaims(TargetClaims delegate) {
      this.delegate = delegate;
    }

    @Override
    public Optional<Claim> claim(TargetKey target, RolloutKey rollout, Instant now, Predicate<Claim> stale) {
      alive();
      return delegate.claim(target, rollout, now, stale);
    }

    @Override
    public Optional<Claim> holder(TargetKey target) {
      alive();
      return delegate.holder(target);
    }

    @Override
    public void release(TargetKey target, RolloutKey rollout) {
      alive();
      delegate.release(target, rollout);
    }
  }

  private final class MortalRouter implements TrafficRouter {
    private final TrafficRouter delegate;

    MortalRouter(TrafficRouter delegate) {
      this.delegate = delegate;
    }

    @Override
    public List<Problem> validate(CanarySpec spec) {
      alive();
      return delegate.validate(spec);
    }

    @Override
    public void apply(CanarySpec spec, RoutingState desired) {
      alive();
      delegate.apply(spec, desired);
      journal.routing().add(new RoutingWrite(sim.scheduler().now(), identity, desired));
    }

    @Override
    public List<RouteWeight> currentWeights(CanarySpec spec) {
      alive();
      return delegate.currentWeights(spec);
    }

    @Override
    public RoutingConfirmation confirmation(CanarySpec spec, RoutingState applied) {
      alive();
      return delegate.confirmation(spec, applied);
    }

    @Override
    public AutoCloseable watchConfirmation(CanarySpec spec, Runnable onChange) {
      alive();
      return delegate.watchConfirmation(spec, () -> {
        if (!dead) {
          onChange.run();
        }
      });
    }

    @Override
    public AutoCloseable watchRouting(CanarySpec spec, Consumer<List<RouteWeight>> onChange) {
      alive();
      return delegate.watchRouting(spec, weights -> {
        if (!dead) {
          onChange.accept(weights);
        }
      });
    }

    @Override
    public List<RenderedObject> render(CanarySpec spec, RoutingState desired) {
      alive();
      return delegate.render(spec, desired);
    }
  }

  private final class MortalWorkloads implements Workloads {
    private final Workloads delegate;

    MortalWorkloads(Workloads delegate) {
      this.delegate = delegate;
    }

    @Override
    public List<Problem> validate(CanarySpec spec) {
      alive();
      return delegate.validate(spec);
    }

    @Override
    public Revisions previewRevisions(CanarySpec spec) {
      alive();
      return delegate.previewRevisions(spec);
    }

    @Override
    public Revisions ensureCanary(CanarySpec spec) {
      alive();
      return delegate.ensureCanary(spec);
    }

    @Override
    public void scaleCanary(CanarySpec spec, Revisions revisions, CanaryScale request) {
      alive();
      delegate.scaleCanary(spec, revisions, request);
      journal.scales().add(new ScaleRequest(sim.scheduler().now(), identity, request));
    }

    @Override
    public void trafficShifted(CanarySpec spec, Revisions revisions, int canaryWeight) {
      alive();
      delegate.trafficShifted(spec, revisions, canaryWeight);
    }

    @Override
    public void scaleStable(CanarySpec spec, Revisions revisions, Optional<Integer> replicas) {
      alive();
      delegate.scaleStable(spec, revisions, replicas);
    }

    @Override
    public WorkloadState observe(CanarySpec spec, Revisions revisions) {
      alive();
      return delegate.observe(spec, revisions);
    }

    @Override
    public void promote(CanarySpec spec, Revisions revisions) {
      alive();
      delegate.promote(spec, revisions);
    }

    @Override
    public boolean promotionComplete(CanarySpec spec, Revisions revisions) {
      alive();
      return delegate.promotionComplete(spec, revisions);
    }

    @Override
    public void removeCanary(CanarySpec spec, Revisions revisions) {
      alive();
      delegate.removeCanary(spec, revisions);
    }

    @Override
    public Optional<NewRevision> previousRevision(CanarySpec spec) {
      alive();
      return delegate.previousRevision(spec);
    }

    @Override
    public Optional<String> canaryLost(CanarySpec spec, Revisions revisions) {
      alive();
      return delegate.canaryLost(spec, revisions);
    }

    @Override
    public AutoCloseable watch(CanarySpec spec, Revisions revisions, Runnable onChange) {
      alive();
      return delegate.watch(spec, revisions, () -> {
        if (!dead) {
          onChange.run();
        }
      });
    }
  }
}
