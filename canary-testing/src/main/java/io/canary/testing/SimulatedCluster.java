package io.canary.testing;

import io.canary.core.time.VirtualScheduler;
import io.canary.testing.internal.ClusterState;
import io.canary.testing.internal.ClusterYaml;
import io.canary.testing.internal.DeploymentController;
import io.canary.testing.internal.GatewayApiController;
import io.canary.testing.internal.GatewayApiCrds;
import io.canary.testing.internal.HpaController;
import io.canary.testing.internal.IstioObjects;
import io.canary.testing.internal.MockApiServer;
import io.canary.testing.internal.ObservingDispatcher;
import io.canary.testing.internal.PodGroups;
import io.canary.testing.internal.Quiescence;
import io.canary.testing.internal.Router;
import io.canary.testing.internal.SimulationTasks;
import io.canary.testing.internal.SimulatorClients;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * A Kubernetes cluster in the test's process: fabric8's CRUD API server over plain HTTP, a
 * Deployment controller, an HPA controller and simulated traffic, all on one {@link
 * VirtualScheduler}, so hours pass in milliseconds and the code under test runs unmodified against
 * {@link #client()}.
 *
 * <p>Every request the server answers is observed before the answer leaves; a write by the code
 * under test queues a settle task at the current virtual instant, in which the controllers react
 * and the simulation waits (briefly, in real time) until no request and no informer callback has
 * happened for the quiet period. The clock moves on only once things have settled, so a run is
 * repeatable. Idle ticks make no API call: the controllers and the router work from an in-memory
 * view that only changed objects are read again into.
 *
 * <pre>{@code
 * try (SimulatedCluster sim = SimulatedCluster.builder().build()) {
 *   sim.loadScenario("rollouts-demo-subsets");
 *   sim.traffic().flow("web").to("istio-argo-rollouts", "rollouts-demo-svc").rate(100);
 *   sim.advance(Duration.ofMinutes(5));
 * }
 * }</pre>
 */
public final class SimulatedCluster implements AutoCloseable {
  private final VirtualScheduler scheduler;
  private final Quiescence quiescence;
  private final ObservingDispatcher dispatcher;
  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final KubernetesClient simulatorClient;
  private final ClusterState state;
  private final PodGroups groups;
  private final DeploymentController deployments;
  private final HpaController hpas;
  private final GatewayApiImplementation gatewayApi;
  private final GatewayApiController gatewayApiController;
  private final TrafficSimulator traffic;
  private final Timeline timeline = new Timeline();
  private final Duration tick;
  private final Duration timelineInterval;
  private final SimulationTasks tasks;
  private final List<KubernetesClient> extraClients = new ArrayList<>();

  private SimulatedCluster(Builder b) {
    this.tick = b.tick;
    this.timelineInterval = b.timelineInterval;
    this.scheduler = b.scheduler != null ? b.scheduler : VirtualScheduler.create();
    this.tasks = new SimulationTasks(scheduler, this::reconcile);
    this.quiescence = new Quiescence(b.quietPeriod, b.maxSettleWait);
    this.dispatcher = new ObservingDispatcher(scheduler::now, quiescence, this::observed);
    this.server = MockApiServer.start(dispatcher);
    String masterUrl = server.url("/");
    this.client = SimulatorClients.forUsers(masterUrl, quiescence);
    this.simulatorClient = SimulatorClients.forSimulator(masterUrl);
    this.state = new ClusterState(URI.create(masterUrl), simulatorClient.getKubernetesSerialization());
    this.groups = new PodGroups(state);
    GatewayApiCrds.install(simulatorClient);
    this.gatewayApi = new GatewayApiImplementation(b.routeStatusDelay, () -> {
      judgeRoutesAgain();
      tasks.requestSettle();
    });
    this.gatewayApiController = new GatewayApiController(state, simulatorClient, scheduler::now, tasks::wakeUpAt, gatewayApi);
    this.traffic = new TrafficSimulator(groups, new Router(state, groups, gatewayApiController), b.metricsWindow);
    this.deployments = new DeploymentController(state, simulatorClient, scheduler::now, b.podStartupDelay,
        tasks::wakeUpAt);
    this.hpas = new HpaController(state, simulatorClient, scheduler::now, traffic::cpuMillicores,
        b.metricsWindow);
    tasks.every(b.tick, () -> {
      quiescence.awaitWatchesBack();
      state.refresh();
      traffic.tick(scheduler.now(), b.tick);
    });
    tasks.every(b.hpaSyncPeriod, () -> {
      reconcile();
      hpas.sync();
      reconcile();
    });
    // Sampled after everything else due at the same instant (the traffic tick above all), so a sample
    // at T counts the tick of T: scheduler.execute queues behind the tasks already due.
    tasks.every(b.timelineInterval, () -> scheduler.execute(this::sampleTimeline));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The client for the code under test (JDK HTTP, no retries, 5 s timeouts). */
  public KubernetesClient client() {
    return client;
  }

  /** Another client like {@link #client()}, for a second runner; closed with the cluster. */
  public synchronized KubernetesClient newClient() {
    KubernetesClient c = SimulatorClients.forUsers(server.url("/"), quiescence);
    extraClients.add(c);
    return c;
  }

  /**
   * Another client like {@link #client()} whose requests fail as {@code faults} decides (the cluster's
   * own controllers keep their clean client); closed with the cluster.
   */
  public synchronized KubernetesClient newClient(FaultInjection faults) {
    KubernetesClient c = SimulatorClients.forUsers(server.url("/"), quiescence, FaultInjection.NAME, faults.interceptor());
    // Time stands still while a watch that failed is being established again, as it would in a cluster
    // where the runner's watch comes back within milliseconds of real time.
    quiescence.holdWhile(faults::watchesRecovering);
    extraClients.add(c);
    return c;
  }

  public VirtualScheduler scheduler() {
    return scheduler;
  }

  public TrafficSimulator traffic() {
    return traffic;
  }

  public Timeline timeline() {
    return timeline;
  }

  /** The simulated Gateway API implementation: its status delay, and parents that refuse routes. */
  public GatewayApiImplementation gatewayApi() {
    return gatewayApi;
  }

  /** The API server's address, for a client the test builds itself. */
  public String masterUrl() {
    return server.url("/");
  }

  /** Every request the server answered so far, in order. */
  public List<ObservedRequest> requests() {
    return dispatcher.requests();
  }

  /** The writes made by the code under test (not by the simulated controllers), in order. */
  public List<ObservedRequest> writesUnderTest() {
    return dispatcher.requests().stream().filter(ObservedRequest::isWriteUnderTest).toList();
  }

  /** What each HPA ({@code namespace/name}) asked for at its last sync. */
  public Map<String, Integer> hpaDesiredReplicas() {
    return hpas.desiredReplicas();
  }

  /**
   * A VirtualService as the API server holds it, whatever API version it was written at, as the
   * v1 class (every version has the same spec).
   */
  public Optional<io.fabric8.istio.api.networking.v1.VirtualService> virtualService(String namespace, String name) {
    state.refresh();
    return state.<HasMetadata>get(ClusterState.Kind.VIRTUAL_SERVICE, namespace, name)
        .map(IstioObjects::asV1VirtualService);
  }

  /** A DestinationRule as the API server holds it, whatever API version it was written at, as the v1 class. */
  public Optional<io.fabric8.istio.api.networking.v1.DestinationRule> destinationRule(String namespace, String name) {
    state.refresh();
    return state.<HasMetadata>get(ClusterState.Kind.DESTINATION_RULE, namespace, name)
        .map(IstioObjects::asV1DestinationRule);
  }

  /** An HTTPRoute ({@code gateway.networking.k8s.io/v1}) as the API server holds it, status included. */
  public Optional<io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute> httpRoute(String namespace, String name) {
    state.refresh();
    return state.get(ClusterState.Kind.HTTP_ROUTE, namespace, name);
  }

  /** A GRPCRoute ({@code gateway.networking.k8s.io/v1}) as the API server holds it, status included. */
  public Optional<io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute> grpcRoute(String namespace, String name) {
    state.refresh();
    return state.get(ClusterState.Kind.GRPC_ROUTE, namespace, name);
  }

  /** Moves virtual time forward by {@code d}, letting everything due happen on the way. */
  public SimulatedCluster advance(Duration d) {
    scheduler.advance(d);
    return this;
  }

  /**
   * Advances tick by tick until {@code condition} holds; fails, naming {@code what}, if it does not
   * within {@code limit} of virtual time.
   */
  public SimulatedCluster advanceUntil(String what, BooleanSupplier condition, Duration limit) {
    Instant deadline = scheduler.now().plus(limit);
    scheduler.runDue();
    while (!condition.getAsBoolean()) {
      if (!scheduler.now().isBefore(deadline)) {
        throw new AssertionError("Still waiting, after " + limit + " of virtual time, for: " + what);
      }
      Instant next = scheduler.now().plus(tick);
      scheduler.advanceTo(next.isAfter(deadline) ? deadline : next);
    }
    return this;
  }

  /** Runs everything due now, so the controllers have reacted to the writes made so far. */
  public SimulatedCluster settle() {
    scheduler.runDue();
    return this;
  }

  /**
   * Creates the objects of a multi-document YAML as written (apiVersion included), then lets the
   * controllers react at the current virtual instant. Call it from the test, not from a scheduled task.
   */
  public List<HasMetadata> load(String yaml) {
    List<HasMetadata> created = ClusterYaml.create(simulatorClient, state, yaml);
    tasks.requestSettle();
    settle();
    return created;
  }

  public List<HasMetadata> load(Path yamlFile) {
    return load(ClusterYaml.read(yamlFile));
  }

  /**
   * Loads {@code scenarios/<name>/cluster.yaml}, looked for in the working directory and its
   * parents (Maven runs a module's tests in the module's folder).
   */
  public List<HasMetadata> loadScenario(String name) {
    return load(ClusterYaml.scenario(name));
  }

  /** Called by the server for every request, on its threads. */
  private void observed(ObservedRequest r) {
    if (!r.bySimulator() || r.isWrite()) {
      quiescence.touch();
    }
    if (r.isWriteUnderTest() && r.status() < 300) {
      state.markDirty(r.method(), r.path());
      tasks.requestSettle();
    }
  }

  /** The controllers react to what changed, then the simulation waits for the system to go quiet. */
  private void reconcile() {
    if (tasks.isClosed()) {
      return;
    }
    for (int attempt = 0; attempt < 5; attempt++) {
      state.refresh();
      if (!deployments.reconcile()) {
        break; // no write was refused for a stale resourceVersion
      }
    }
    gatewayApiController.reconcile();
    if (state.isDirty()) {
      tasks.requestSettle();
    }
    quiescence.awaitQuiet();
  }

  private void judgeRoutesAgain() {
    if (gatewayApiController != null) {
      gatewayApiController.judgeAgain();
    }
  }

  private void sampleTimeline() {
    Instant now = scheduler.now();
    timeline.record(now, TimelineSampler.revisions(groups, traffic, now, timelineInterval), hpas.desiredReplicas());
  }

  /** How often and how long (real time) the simulation waited for quiet; for benchmarks. */
  String settleStatistics() {
    return quiescence.statistics();
  }

  /** Stops the controllers and the traffic, closes the clients and the API server. */
  @Override
  public void close() {
    if (tasks.isClosed()) {
      return;
    }
    tasks.close();
    extraClients.forEach(KubernetesClient::close);
    client.close();
    simulatorClient.close();
    server.destroy();
    quiescence.close();
  }

  /** How the simulation runs; every setting has a default. */
  public static final class Builder {
    private VirtualScheduler scheduler;
    private Duration podStartupDelay = Duration.ofSeconds(5);
    private Duration tick = Duration.ofSeconds(1);
    private Duration hpaSyncPeriod = Duration.ofSeconds(15);
    private Duration timelineInterval = Duration.ofSeconds(10);
    private Duration metricsWindow = Duration.ofSeconds(15);
    private Duration quietPeriod = Duration.ofMillis(Long.getLong("canary.quietMillis", 2));
    private Duration maxSettleWait = Duration.ofSeconds(10);
    private Duration routeStatusDelay = Duration.ofSeconds(1);

    private Builder() {}

    /**
     * How long the simulated Gateway API implementation takes to program a changed route and write its
     * status; 1 s unless set (changeable later through {@link SimulatedCluster#gatewayApi()}).
     */
    public Builder routeStatusDelay(Duration d) {
      this.routeStatusDelay = notNegative("routeStatusDelay", d);
      return this;
    }

    /** The clock to share with the code under test; a fresh one at 2026-01-01T00:00:00Z unless set. */
    public Builder scheduler(VirtualScheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** How long a new pod takes to become Ready; 5 s unless set. */
    public Builder podStartupDelay(Duration d) {
      this.podStartupDelay = notNegative("podStartupDelay", d);
      return this;
    }

    /** How often traffic is sent (in aggregate); 1 s unless set. */
    public Builder tick(Duration d) {
      this.tick = positive("tick", d);
      return this;
    }

    /** How often the HPAs sync; 15 s (Kubernetes' default) unless set. */
    public Builder hpaSyncPeriod(Duration d) {
      this.hpaSyncPeriod = positive("hpaSyncPeriod", d);
      return this;
    }

    /** How often the timeline takes a sample; 10 s unless set. */
    public Builder timelineInterval(Duration d) {
      this.timelineInterval = positive("timelineInterval", d);
      return this;
    }

    /** Over how long a pod's CPU is averaged for the HPA, as a metrics server does; 15 s unless set. */
    public Builder metricsWindow(Duration d) {
      this.metricsWindow = positive("metricsWindow", d);
      return this;
    }

    /**
     * How long (real time) nothing must happen before virtual time moves on after a write; 2 ms
     * unless set. Raise it on a very loaded machine if watch events arrive late.
     */
    public Builder quietPeriod(Duration d) {
      this.quietPeriod = positive("quietPeriod", d);
      return this;
    }

    /** The longest (real time) a settle waits for quiet; 10 s unless set (a loaded build machine can take seconds to deliver a watch event). */
    public Builder maxSettleWait(Duration d) {
      this.maxSettleWait = positive("maxSettleWait", d);
      return this;
    }

    /** Starts the API server and the controllers. */
    public SimulatedCluster build() {
      return new SimulatedCluster(this);
    }

    private static Duration positive(String field, Duration d) {
      if (d == null || d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("SimulatedCluster." + field + " must be a positive duration, got " + d);
      }
      return d;
    }

    private static Duration notNegative(String field, Duration d) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException("SimulatedCluster." + field + " must be zero or more, got " + d);
      }
      return d;
    }
  }
}
