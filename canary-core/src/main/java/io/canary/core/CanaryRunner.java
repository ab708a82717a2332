package io.canary.core;

import io.canary.core.internal.DryRun;
import io.canary.core.internal.Faults;
import io.canary.core.internal.RolloutDriver;
import io.canary.core.internal.RolloutMachine;
import io.canary.core.internal.RunnerContext;
import io.canary.core.internal.RunnerLease;
import io.canary.core.internal.SpecFingerprint;
import io.canary.core.internal.StartRetries;
import io.canary.core.internal.TargetClaim;
import io.canary.core.internal.StepNumbers;
import io.canary.core.memory.InMemoryRunnerLeases;
import io.canary.core.memory.InMemoryStateStore;
import io.canary.core.memory.InMemoryTargetClaims;
import io.canary.core.spi.FaultClassifier;
import io.canary.core.spi.RetryPolicy;
import io.canary.core.spi.RolloutListener;
import io.canary.core.spi.RunnerLeases;
import io.canary.core.spi.StateStore;
import io.canary.core.spi.TargetClaims;
import io.canary.core.spi.TrafficRouter;
import io.canary.core.spi.Versioned;
import io.canary.core.spi.Workloads;
import io.canary.core.time.Scheduler;
import io.canary.core.time.SystemScheduler;
import io.canary.core.time.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs canary releases inside the host program. One runner drives any number of rollouts on one
 * shared scheduler: no thread per rollout, no busy polling (timers for pauses, watches for readiness).
 *
 * <pre>{@code
 * try (CanaryRunner runner = CanaryRunner.builder()
 *     .trafficRouter(IstioTrafficRouter.create(client))
 *     .workloads(KubernetesWorkloads.create(client))
 *     .build()) {
 *   RolloutHandle rollout = runner.start(spec);
 *   rollout.await(Duration.ofHours(1));
 * }
 * }</pre>
 */
public final class CanaryRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CanaryRunner.class);

  private final RunnerContext ctx;
  private final boolean ownsScheduler;
  private final Optional<ExecutorService> ownedAnalysisPool;
  private final Map<RolloutKey, RolloutDriver> drivers = new ConcurrentHashMap<>();

  private CanaryRunner(RunnerContext ctx, boolean ownsScheduler, Optional<ExecutorService> ownedAnalysisPool) {
    this.ctx = ctx;
    this.ownsScheduler = ownsScheduler;
    this.ownedAnalysisPool = ownedAnalysisPool;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts {@code spec}, or carries it on when the state store holds a status of this same release
   * (a runner restarted after a crash resumes where the last one stopped).
   *
   * @throws CanaryValidationException listing every problem with the spec and the cluster objects it
   *     names, before anything is written
   * @throws CanaryException when another release of the same rollout is still under way, or when
   *     another rollout holds the target workload (one release per target: the claim is taken, compare
   *     and set, before anything else is written, and given up when the rollout has ended); or the
   *     API fault that made one of its calls fail for good (a transient fault is tried again per the
   *     runner's {@link RetryPolicy}, the caller waiting meanwhile)
   */
  public RolloutHandle start(CanarySpec spec) {
    Objects.requireNonNull(spec, "spec");
    return startWith(spec, true);
  }

  /**
   * Starts {@code spec}; with {@code retrying}, its calls are tried again per the retry policy on a
   * transient fault (the caller of {@link #start} waits; a restart from a rollout's own task does not).
   */
  private RolloutHandle startWith(CanarySpec spec, boolean retrying) {
    RolloutKey key = spec.key();
    RolloutDriver running = drivers.get(key);
    if (running != null) {
      if (running.spec().equals(spec)) {
        return running;
      }
      throw new CanaryException("Rollout " + key + " is already driven by this runner with another spec;"
          + " abort it and wait for it to end (or close its handle) before starting another release");
    }
    Retry retry = retrying ? (what, call) -> StartRetries.run(ctx, "Rollout " + key, what, call) : (what, call) -> call.run();
    retry.run("reading the target's claim", () -> TargetClaim.check(ctx, spec));
    retry.run("validating the cluster objects", () -> validate(spec));
    String fingerprint = SpecFingerprint.of(spec);
    AtomicReference<Optional<Versioned<RolloutStatus>>> read = new AtomicReference<>();
    retry.run("loading the stored status", () -> read.set(ctx.store().load(key)));
    Optional<Versioned<RolloutStatus>> stored = read.get();
    RolloutStatus status;
    if (stored.isPresent() && SpecFingerprint.matches(stored.get().value().specFingerprint(), spec)) {
      status = stored.get().value();
    } else {
      if (stored.isPresent() && !stored.get().value().phase().isTerminal()) {
        RolloutStatus other = stored.get().value();
        throw new CanaryException("Rollout " + key + " is " + other.phase().displayName() + " with another release"
            + " (fingerprint " + other.specFingerprint() + ", " + StepNumbers.position(other)
            + "); abort that release and let it end before starting a new one");
      }
      status = RolloutMachine.initial(spec, fingerprint, ctx.scheduler().now());
    }
    retry.run("claiming the target", () -> TargetClaim.take(ctx, spec));
    RolloutDriver driver = new RolloutDriver(ctx, spec, status, stored);
    RolloutDriver raced = drivers.putIfAbsent(key, driver);
    if (raced != null) {
      return raced;
    }
    driver.begin();
    return driver;
  }

  /**
   * Resumes every rollout in the state store that has not ended, with the spec {@code specs} gives for
   * it (specs hold code, such as analysis gates, so the host supplies them). A rollout without a spec
   * is left alone and logged. An ended rollout that still holds its target's claim (its runner stopped
   * between saving the end and giving the claim and the lease up) is taken over too, when {@code specs}
   * gives the spec of that same release: its handle ends at once, and the claim and the lease are given
   * up once the stopped runner's lease has run out.
   */
  public List<RolloutHandle> resumeAll(Function<RolloutKey, Optional<CanarySpec>> specs) {
    List<RolloutHandle> handles = new ArrayList<>();
    for (RolloutKey key : StartRetries.call(ctx, "resumeAll", "listing the stored rollouts", () -> ctx.store().list())) {
      Optional<Versioned<RolloutStatus>> stored = StartRetries.call(ctx, "Rollout " + key, "loading the stored status",
          () -> ctx.store().load(key));
      if (stored.isEmpty()) {
        continue;
      }
      if (stored.get().value().phase().isTerminal()) {
        String fingerprint = stored.get().value().specFingerprint();
        specs.apply(key).filter(spec -> SpecFingerprint.matches(fingerprint, spec) && TargetClaim.heldBy(ctx, spec))
            .ifPresent(spec -> handles.add(start(spec)));
        continue;
      }
      Optional<CanarySpec> spec = specs.apply(key);
      if (spec.isEmpty()) {
        LOG.warn("Rollout {} is {} in the state store but no spec was given for it; left alone", key,
            stored.get().value().phase().displayName());
        continue;
      }
      handles.add(start(spec.get()));
    }
    return handles;
  }

  /** The handle of a rollout this runner drives (or stands by for). */
  public Optional<RolloutHandle> handle(RolloutKey key) {
    return Optional.ofNullable(drivers.get(key));
  }

  /** Every rollout this runner drives or stands by for. */
  public List<RolloutHandle> handles() {
    return List.copyOf(drivers.values());
  }

  /**
   * The dry run: every change the rollout would make, step by step (weights, replicas, the routing
   * objects as the router would write them), assuming pauses are promoted and analyses pass. Reads
   * the cluster, writes nothing.
   *
   * @throws CanaryValidationException as {@link #start} would
   */
  public RolloutPlan plan(CanarySpec spec) {
    validate(spec);
    return DryRun.plan(spec, ctx.router(), ctx.workloads(), ctx.scheduler().now());
  }

  /**
   * Stops driving this runner's rollouts and gives the runner's lease up, so that another runner may
   * take them over at once; nothing else in the cluster changes.
   */
  @Override
  public void close() {
    drivers.values().forEach(RolloutDriver::close);
    drivers.clear();
    ctx.runnerLease().close();
    ownedAnalysisPool.ifPresent(ExecutorService::shutdownNow);
    if (ownsScheduler && ctx.scheduler() instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.debug("closing the scheduler: {}", e.toString());
      }
    }
  }

  /** Stops driving one rollout (it stays as it is in the cluster and in the state store). */
  public void release(RolloutKey key) {
    RolloutDriver driver = drivers.remove(key);
    if (driver != null) {
      driver.close();
    }
  }

  /** Another release of a rollout this runner drives, in place of the one it drives now (undo, from its task). */
  private RolloutHandle restart(CanarySpec spec) {
    release(spec.key());
    return startWith(Objects.requireNonNull(spec, "spec"), false);
  }

  /** Runs one of start()'s calls, tried again on a transient fault or not. */
  @FunctionalInterface
  private interface Retry {
    void run(String what, Runnable call);
  }

  private void validate(CanarySpec spec) {
    List<Problem> problems = new ArrayList<>();
    problems.addAll(ctx.router().validate(spec));
    problems.addAll(ctx.workloads().validate(spec));
    if (!problems.isEmpty()) {
      throw new CanaryValidationException("Rollout " + spec.key(), problems);
    }
  }

  /** Builds a {@link CanaryRunner}; a router and workloads are required, the rest has defaults. */
  public static final class Builder {
    private TrafficRouter router;
    private Workloads workloads;
    private StateStore store;
    private RunnerLeases leases;
    private TargetClaims claims;
    private Scheduler scheduler;
    private String identity;
    private Duration leaseDuration = Duration.ofSeconds(15);
    private Executor analysisExecutor;
    private DriftPolicy driftPolicy = DriftPolicy.REVERT;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private final List<FaultClassifier> classifiers = new ArrayList<>();
    private final List<RolloutListener> listeners = new CopyOnWriteArrayList<>();

    private Builder() {}

    public Builder trafficRouter(TrafficRouter router) {
      this.router = Objects.requireNonNull(router, "trafficRouter");
      return this;
    }

    public Builder workloads(Workloads workloads) {
      this.workloads = Objects.requireNonNull(workloads, "workloads");
      return this;
    }

    /** Where statuses are kept; default in memory (a rollout then cannot outlive the process). */
    public Builder stateStore(StateStore store) {
      this.store = Objects.requireNonNull(store, "stateStore");
      return this;
    }

    /**
     * The runners' leases: one per runner, whose epoch the rollouts it drives record as their owner with
     * their status, so that one runner at a time drives a rollout and a stopped runner's rollouts are
     * taken over once its lease has run out. Default: in memory, this runner's own (right for one runner
     * per state store); runners of one process that share a state store share one {@code
     * InMemoryRunnerLeases}, runners in several processes need leases in the cluster.
     */
    public Builder leases(RunnerLeases leases) {
      this.leases = Objects.requireNonNull(leases, "leases");
      return this;
    }

    /**
     * One release per target workload; default in memory (right for the runners of one process that
     * share it; runners in several processes need claims in the cluster).
     */
    public Builder claims(TargetClaims claims) {
      this.claims = Objects.requireNonNull(claims, "claims");
      return this;
    }

    /** Time and threads; default a {@link SystemScheduler} the runner closes with itself. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** This runner's name as a lease holder and rollout owner; default a random one, unique to the process. */
    public Builder identity(String identity) {
      if (identity == null || identity.isBlank()) {
        throw new IllegalArgumentException("CanaryRunner.Builder.identity must not be blank");
      }
      this.identity = identity;
      return this;
    }

    /**
     * How long the runner's lease lasts without renewal (renewed every third of it while the runner drives
     * a rollout; on a virtual clock, when a rollout acts): a stopped runner's rollouts are taken over
     * within it. Default 15s.
     */
    public Builder leaseDuration(Duration leaseDuration) {
      if (leaseDuration == null || leaseDuration.compareTo(Duration.ofSeconds(3)) < 0) {
        throw new IllegalArgumentException("CanaryRunner.Builder.leaseDuration must be at least 3s, was " + leaseDuration);
      }
      this.leaseDuration = leaseDuration;
      return this;
    }

    /**
     * Where analysis gates run. Default: on a {@link io.canary.core.time.VirtualScheduler}, the
     * scheduler's own thread (deterministic tests); otherwise two daemon threads of the runner's own,
     * so that a gate waiting on a slow metrics backend holds up no other rollout.
     */
    public Builder analysisExecutor(Executor executor) {
      this.analysisExecutor = Objects.requireNonNull(executor, "analysisExecutor");
      return this;
    }

    /**
     * What a rollout does when the weights it owns are changed by someone else while its steps run, unless
     * its spec says ({@link CanarySpec#driftPolicy()}). Default: {@link DriftPolicy#REVERT}, put back.
     */
    public Builder driftPolicy(DriftPolicy policy) {
      this.driftPolicy = Objects.requireNonNull(policy, "driftPolicy");
      return this;
    }

    /**
     * When and how often a failed API call is tried again: every call of the runner (actions, lease
     * renewals, status saves, target claims, start()'s reads and first writes) follows it, waiting on
     * the scheduler. Default {@link RetryPolicy#defaults()}: 200 ms doubling to 30 s, half of it jitter,
     * 10 attempts, a server's Retry-After honoured.
     */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /**
     * Tells faults apart for a client the SDK does not know (asked before the classifiers found on the
     * class path, such as canary-client's for fabric8, and core's own).
     */
    public Builder faultClassifier(FaultClassifier classifier) {
      classifiers.add(Objects.requireNonNull(classifier, "faultClassifier"));
      return this;
    }

    /** Sees every event of every rollout of the runner. */
    public Builder addListener(RolloutListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    public CanaryRunner build() {
      List<String> missing = new ArrayList<>();
      if (router == null) {
        missing.add("trafficRouter");
      }
      if (workloads == null) {
        missing.add("workloads");
      }
      if (!missing.isEmpty()) {
        throw new IllegalStateException("CanaryRunner.Builder needs " + String.join(" and ", missing));
      }
      boolean ownsScheduler = scheduler == null;
      Scheduler s = ownsScheduler ? SystemScheduler.create() : scheduler;
      Optional<ExecutorService> ownedPool = analysisExecutor == null && !(s instanceof VirtualScheduler)
          ? Optional.of(Executors.newFixedThreadPool(2, analysisThreads()))
          : Optional.empty();
      Optional<Executor> analysis = analysisExecutor != null ? Optional.of(analysisExecutor) : ownedPool.map(p -> p);
      AtomicReference<CanaryRunner> runner = new AtomicReference<>();
      String name = identity == null ? "runner-" + UUID.randomUUID().toString().substring(0, 8) : identity;
      Faults faults = Faults.of(classifiers);
      RunnerLease lease = new RunnerLease(leases == null ? new InMemoryRunnerLeases(s::now) : leases, name,
          leaseDuration, s, retryPolicy, faults);
      RunnerContext ctx = new RunnerContext(router, workloads,
          store == null ? new InMemoryStateStore() : store,
          lease,
          claims == null ? new InMemoryTargetClaims() : claims,
          s,
          name,
          leaseDuration,
          List.copyOf(listeners),
          analysis,
          spec -> runner.get().restart(spec),
          driftPolicy,
          retryPolicy,
          faults);
      runner.set(new CanaryRunner(ctx, ownsScheduler, ownedPool));
      return runner.get();
    }

    private static ThreadFactory analysisThreads() {
      AtomicInteger n = new AtomicInteger();
      return r -> {
        Thread t = new Thread(r, "canary-analysis-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      };
    }
  }
}
