package io.canary.examples.bench;

import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutKey;
import io.canary.core.RolloutStatus;
import io.canary.core.Step;
import io.canary.istio.IstioStrategy;
import io.canary.istio.VirtualServiceRef;
import io.canary.core.WorkloadRef;
import io.canary.core.event.PhaseChanged;
import io.canary.core.event.RolloutEvent;
import io.canary.core.event.WeightChanged;
import io.canary.core.time.SystemScheduler;
import io.canary.istio.IstioTrafficRouter;
import io.canary.kubernetes.ConfigMapStateStore;
import io.canary.kubernetes.KubernetesWorkloads;
import io.canary.kubernetes.KubernetesRunnerLeases;
import io.fabric8.istio.api.networking.v1.DestinationRule;
import io.fabric8.istio.api.networking.v1.DestinationRuleBuilder;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.api.networking.v1.VirtualServiceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * N concurrent rollouts driven by one {@link CanaryRunner} on one {@link SystemScheduler} (real time,
 * default threads) against fabric8's in-process API server, with the real adapters: IstioTrafficRouter,
 * KubernetesWorkloads, ConfigMapStateStore and KubernetesRunnerLeases. Each rollout: setWeight 20, pause 2s,
 * setWeight 50, pause 2s, promotion, scale-down delay 2s.
 *
 * <p>The mock server has no Deployment controller, so a tiny one runs here: an informer on Deployments
 * that writes each one's status ready (replicas, ready, available, updated = spec.replicas,
 * observedGeneration = generation) through the status subresource. The rollouts therefore learn about
 * readiness from their watches, as against a real cluster. The controller holds the canaries back until
 * every rollout has started: that is when heap, threads and requests of waiting rollouts are measured.
 *
 * <p>Arguments: {@code [rollouts=1000] [namespaces=5] [quietSeconds=10] [readyPerSecond=25]
 * [leaseSeconds=15]}. Prints figures; asserts nothing.
 */
public final class ManyRollouts {
  private static final String RUNNER_AGENT = "canary-bench-runner";
  private static final String CONTROLLER_AGENT = "canary-bench-controller";
  private static final Duration PAUSE = Duration.ofSeconds(2);

  public static void main(String[] args) throws Exception {
    int rollouts = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int namespaces = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int quietSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    // Canaries become ready at this pace (0: all at once, a burst): readiness changes, and the pauses
    // after them, are spread as they would be across independent releases.
    int readyPerSecond = args.length > 3 ? Integer.parseInt(args[3]) : 25;
    // The runner's lease duration (renewed every third of it); 0: no lease, the in-memory lock.
    int leaseSeconds = args.length > 4 ? Integer.parseInt(args[4]) : 15;
    MachineFacts.logToFile("many-rollouts");
    MachineFacts.print("ManyRollouts: " + rollouts + " rollouts in " + namespaces + " namespaces, one runner; canaries"
        + " made ready " + (readyPerSecond == 0 ? "all at once" : readyPerSecond + " per second") + "; "
        + (leaseSeconds == 0 ? "in-memory lease (no Lease)" : "KubernetesRunnerLeases, lease " + leaseSeconds + " s"));

    RequestCounter requests = new RequestCounter();
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        requests, false);
    server.init();
    String url = server.url("/");
    try (KubernetesClient setup = client(url, "canary-bench-setup");
        KubernetesClient controllerClient = client(url, CONTROLLER_AGENT);
        KubernetesClient runnerClient = client(url, RUNNER_AGENT)) {
      List<String> nss = new ArrayList<>();
      for (int n = 0; n < namespaces; n++) {
        nss.add("bench-" + n);
        setup.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("bench-" + n).endMetadata()
            .build()).create();
      }
      long setupStart = System.nanoTime();
      for (int i = 0; i < rollouts; i++) {
        createApp(setup, nss.get(i % namespaces), "app-" + i);
      }
      System.out.printf(Locale.ROOT, "cluster set-up: %d apps (Deployment, ReplicaSet, Service, DestinationRule, "
          + "VirtualService) in %.1f s%n", rollouts, (System.nanoTime() - setupStart) / 1e9);

      System.out.printf(Locale.ROOT, "one GET of a Deployment on the mock server holding them: %.2f ms median (compare "
          + "runs of different sizes: the mock's cost per request grows with the objects it holds)%n", medianGetMillis(setup, nss.get(0)));

      ReadinessController controller = new ReadinessController(controllerClient);
      controller.start();
      Map<String, Integer> threadsAt = new TreeMap<>();
      threadsAt.put("1 before the runner", MachineFacts.liveThreads());
      long heapBefore = MachineFacts.usedHeapAfterGc();

      Timings timings = new Timings(controller);
      SystemScheduler scheduler = SystemScheduler.create();
      KubernetesWorkloads workloads = KubernetesWorkloads.create(runnerClient);
      CanaryRunner.Builder builder = CanaryRunner.builder()
          .trafficRouter(IstioTrafficRouter.create(runnerClient))
          .workloads(workloads)
          .stateStore(ConfigMapStateStore.create(runnerClient, nss.toArray(String[]::new)))
          .scheduler(scheduler)
          .addListener(timings);
      if (leaseSeconds > 0) {
        builder.leases(KubernetesRunnerLeases.create(runnerClient, nss.get(0), scheduler)).leaseDuration(Duration.ofSeconds(leaseSeconds));
      }
      CanaryRunner runner = builder.build();

      requests.phase("start");
      long startAll = System.nanoTime();
      List<RolloutHandle> handles = new ArrayList<>();
      for (int i = 0; i < rollouts; i++) {
        handles.add(runner.start(spec(nss.get(i % namespaces), "app-" + i)));
      }
      long started = System.nanoTime();
      // Each rollout has created its canary (0 replicas), asked it for 1 replica, and waits on its watch.
      controller.awaitCanaryScaledUp(rollouts, Duration.ofMinutes(5));
      System.out.printf(Locale.ROOT, "runner.start of %d rollouts: %.1f s; all canaries created and scaled up "
          + "after %.1f s%n", rollouts, (started - startAll) / 1e9, (System.nanoTime() - startAll) / 1e9);

      long heapWaiting = MachineFacts.usedHeapAfterGc();
      threadsAt.put("2 during: every rollout waiting for readiness", MachineFacts.liveThreads());
      // A quiet window: every rollout waits on its watch; a request now is the runner polling or renewing leases.
      requests.phase("waiting");
      long waitStart = System.nanoTime();
      new CountDownLatch(1).await(quietSeconds, TimeUnit.SECONDS);
      double waitedSeconds = (System.nanoTime() - waitStart) / 1e9;

      requests.phase("run");
      long release = System.nanoTime();
      controller.releaseCanaries(readyPerSecond);
      int succeeded = 0;
      for (RolloutHandle h : handles) {
        RolloutStatus s = h.await(st -> st.phase().isTerminal(), Duration.ofMinutes(10));
        if (s.phase() == Phase.SUCCEEDED) {
          succeeded++;
        }
      }
      long done = System.nanoTime();
      threadsAt.put("3 after: every rollout ended", MachineFacts.liveThreads());
      requests.phase("after");
      runner.close();
      workloads.close();
      scheduler.close();
      controller.close();

      System.out.println();
      System.out.printf(Locale.ROOT, "rollouts succeeded: %d of %d%n", succeeded, rollouts);
      System.out.printf(Locale.ROOT, "total time from the first start to the last success: %.1f s; from the release "
          + "of the canaries: %.1f s (each rollout: two 2 s pauses and a 2 s scale-down delay)%n",
          (done - startAll) / 1e9, (done - release) / 1e9);
      System.out.println();
      System.out.println(MachineFacts.latencyHeader("latency (ms)"));
      System.out.println(MachineFacts.latencyRow("readiness written -> weight 20 saved", timings.readyToWeight));
      System.out.println(MachineFacts.latencyRow("pause due -> weight 50 saved", timings.pauseToWeight));
      System.out.println(MachineFacts.latencyRow("pause due -> promotion started", timings.pauseToPromotion));
      System.out.println();
      requests.printTable(rollouts, timings.weightChanges.sum(), waitedSeconds);
      System.out.println();
      System.out.println("| JVM threads | count |\n|---|---|");
      threadsAt.forEach((k, v) -> System.out.printf(Locale.ROOT, "| %s | %d |%n", k.substring(2), v));
      System.out.println();
      System.out.printf(Locale.ROOT, "heap after GC: before %.1f MB, %d rollouts waiting %.1f MB -> %.1f KB per "
          + "waiting rollout (runner, adapters and their watch caches)%n", heapBefore / 1048576.0, rollouts,
          heapWaiting / 1048576.0, (heapWaiting - heapBefore) / 1024.0 / rollouts);
      timings.readyWithoutWrite.forEach(k -> System.out.println("no readiness write seen before weight 20: " + k));
    } finally {
      server.destroy();
    }
  }

  static CanarySpec spec(String namespace, String app) {
    return CanarySpec.builder()
        .name(app).namespace(namespace)
        .target(WorkloadRef.deployment(app))
        .revision(NewRevision.image("app", "example/app:2.0"))
        .traffic(IstioStrategy.subsets(app, app, VirtualServiceRef.of(app, "primary")))
        .addSteps(Step.setWeight(20), Step.pause(PAUSE), Step.setWeight(50), Step.pause(PAUSE))
        .scaleDownDelay(PAUSE)
        .build();
  }

  private static double medianGetMillis(KubernetesClient c, String ns) {
    List<Double> millis = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      long t = System.nanoTime();
      c.apps().deployments().inNamespace(ns).withName("app-0").get();
      millis.add((System.nanoTime() - t) / 1e6);
    }
    return MachineFacts.percentile(millis, 50);
  }

  private static KubernetesClient client(String url, String agent) {
    return new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(url).withNamespace("default")
            .withUserAgent(agent).withRequestRetryBackoffLimit(0).withRequestTimeout(30_000).build())
        // The JDK client upgrades plain HTTP to HTTP/2 (h2c); the mock server then sends a large list
        // (1,000 Deployments) in one frame over the allowed size, and the request fails or hangs.
        .withHttpClientBuilderConsumer(b -> b.preferHttp11())
        .build();
  }

  /** What a user has before a release: two stable replicas rolled out, a Service, subsets, a route. */
  private static void createApp(KubernetesClient c, String ns, String app) {
    Map<String, String> selector = Map.of("app", app);
    PodTemplateSpec template = new PodTemplateSpecBuilder().withNewMetadata().withLabels(selector).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("example/app:1.0").endContainer().endSpec().build();
    Map<String, String> revision = Map.of("deployment.kubernetes.io/revision", "1");
    Deployment d = c.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder()
        .withNewMetadata().withName(app).withNamespace(ns).withAnnotations(revision).endMetadata()
        .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(selector).endSelector()
        .withTemplate(template).endSpec().build()).create();
    String hash = Integer.toHexString(Math.abs(app.hashCode()) % 0xfffffff);
    Map<String, String> rsLabels = new HashMap<>(selector);
    rsLabels.put("pod-template-hash", hash);
    c.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder()
        .withNewMetadata().withName(app + "-" + hash).withNamespace(ns).withLabels(rsLabels).withAnnotations(revision)
        .addNewOwnerReference().withApiVersion("apps/v1").withKind("Deployment").withName(app)
        .withUid(d.getMetadata().getUid()).withController(true).endOwnerReference().endMetadata()
        .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(rsLabels).endSelector()
        .withNewTemplate().withNewMetadata().withLabels(rsLabels).endMetadata().withSpec(template.getSpec())
        .endTemplate().endSpec().build()).create();
    c.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName(app).endMetadata()
        .withNewSpec().withSelector(selector).addNewPort().withName("http").withPort(80).endPort().endSpec().build())
        .create();
    c.resources(DestinationRule.class).inNamespace(ns).resource(new DestinationRuleBuilder()
        .withNewMetadata().withName(app).endMetadata().withNewSpec().withHost(app)
        .addNewSubset().withName("stable").withLabels(selector).endSubset()
        .addNewSubset().withName("canary").withLabels(selector).endSubset().endSpec().build()).create();
    c.resources(VirtualService.class).inNamespace(ns).resource(new VirtualServiceBuilder()
        .withNewMetadata().withName(app).endMetadata().withNewSpec().withHosts(app)
        .addNewHttp().withName("primary")
        .addNewRoute().withNewDestination().withHost(app).withSubset("stable").endDestination().withWeight(100).endRoute()
        .addNewRoute().withNewDestination().withHost(app).withSubset("canary").endDestination().withWeight(0).endRoute()
        .endHttp().endSpec().build()).create();
  }

  /**
   * Plays the Deployment controller: every Deployment's status follows its spec at once. Canaries
   * are held (no status written) until {@link #releaseCanaries()}. Remembers when it sent each
   * canary's ready status, so the runner's reaction to it can be timed.
   */
  static final class ReadinessController implements AutoCloseable {
    private final KubernetesClient client;
    private final AtomicBoolean holdCanaries = new AtomicBoolean(true);
    private final Set<String> canariesScaledUp = ConcurrentHashMap.newKeySet();
    private final Set<String> released = ConcurrentHashMap.newKeySet();
    private final ScheduledThreadPoolExecutor pacer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "bench-readiness-pacer");
      t.setDaemon(true);
      return t;
    });
    /** Canary key (namespace/rollout) -> System.nanoTime() just before its ready status was sent. */
    final Map<String, Long> canaryReadySentAt = new ConcurrentHashMap<>();
    private SharedIndexInformer<Deployment> informer;

    ReadinessController(KubernetesClient client) {
      this.client = client;
      pacer.prestartAllCoreThreads();   // counted with the threads before the runner, not as the runner's
    }

    void start() throws Exception {
      informer = client.apps().deployments().inAnyNamespace().runnableInformer(0);
      informer.addEventHandler(new ResourceEventHandler<>() {
        @Override
        public void onAdd(Deployment d) {
          reconcile(d);
        }

        @Override
        public void onUpdate(Deployment before, Deployment d) {
          reconcile(d);
        }

        @Override
        public void onDelete(Deployment d, boolean finalStateUnknown) {}
      });
      // Bounded: a watch the mock server never opens fails the benchmark rather than hanging it.
      informer.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static boolean isCanary(Deployment d) {
      return d.getMetadata().getName().endsWith("-canary");
    }

    private void reconcile(Deployment d) {
      int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
      if (isCanary(d)) {
        if (replicas > 0) {
          canariesScaledUp.add(key(d));
        }
        if (holdCanaries.get() && !released.contains(key(d))) {
          return;
        }
      }
      var st = d.getStatus();
      long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
      if (st != null && Objects.equals(st.getObservedGeneration(), generation) && Objects.equals(st.getReplicas(), replicas)
          && Objects.equals(st.getReadyReplicas(), replicas) && Objects.equals(st.getAvailableReplicas(), replicas)
          && Objects.equals(st.getUpdatedReplicas(), replicas)) {
        return;
      }
      Deployment ready = new DeploymentBuilder(d).withStatus(new DeploymentStatusBuilder().withObservedGeneration(generation)
          .withReplicas(replicas).withReadyReplicas(replicas).withAvailableReplicas(replicas)
          .withUpdatedReplicas(replicas).build()).build();
      if (isCanary(d) && replicas > 0) {
        canaryReadySentAt.put(key(d), System.nanoTime());
      }
      try {
        client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).resource(ready).updateStatus();
      } catch (KubernetesClientException e) {
        // 409: the runner changed the Deployment meanwhile; its MODIFIED event brings us back here.
        if (e.getCode() != 409) {
          System.err.println("status write failed for " + key(d) + ": " + e.getMessage());
        }
      }
    }

    /** Canary Deployment key -> the rollout's key, as the runner names it. */
    private static String key(Deployment d) {
      return d.getMetadata().getNamespace() + "/" + d.getMetadata().getName().replaceFirst("-canary$", "");
    }

    void awaitCanaryScaledUp(int count, Duration limit) throws InterruptedException {
      long deadline = System.nanoTime() + limit.toNanos();
      CountDownLatch tick = new CountDownLatch(1);
      while (canariesScaledUp.size() < count && System.nanoTime() < deadline) {
        tick.await(50, TimeUnit.MILLISECONDS);   // bounded wait on a condition, at the set-up only
      }
      if (canariesScaledUp.size() < count) {
        throw new IllegalStateException("only " + canariesScaledUp.size() + " of " + count
            + " canaries were scaled up within " + limit);
      }
    }

    /** Lets the canaries become ready, {@code perSecond} of them a second (0: all at once). */
    void releaseCanaries(int perSecond) {
      List<Deployment> canaries = informer.getStore().list().stream().filter(ReadinessController::isCanary)
          .sorted(Comparator.comparing(d -> d.getMetadata().getName())).toList();
      if (perSecond <= 0) {
        holdCanaries.set(false);
        canaries.forEach(this::reconcile);
        return;
      }
      Iterator<Deployment> next = canaries.iterator();
      pacer.scheduleAtFixedRate(() -> {
        if (next.hasNext()) {
          Deployment d = next.next();
          released.add(key(d));
          reconcile(informer.getStore().getByKey(d.getMetadata().getNamespace() + "/" + d.getMetadata().getName()));
        } else {
          holdCanaries.set(false);
          throw new CancellationException("every canary released");   // ends the schedule
        }
      }, 0, 1_000_000 / perSecond, TimeUnit.MICROSECONDS);
    }

    @Override
    public void close() {
      pacer.shutdownNow();
      informer.close();
    }
  }

  /** Step latencies, from the runner's events as they are delivered (after the status is saved). */
  static final class Timings implements io.canary.core.spi.RolloutListener {
    final List<Double> readyToWeight = Collections.synchronizedList(new ArrayList<>());
    final List<Double> pauseToWeight = Collections.synchronizedList(new ArrayList<>());
    final List<Double> pauseToPromotion = Collections.synchronizedList(new ArrayList<>());
    final List<String> readyWithoutWrite = Collections.synchronizedList(new ArrayList<>());
    final LongAdder weightChanges = new LongAdder();
    private final Map<RolloutKey, Instant> pauseDue = new ConcurrentHashMap<>();
    private final ReadinessController controller;

    Timings(ReadinessController controller) {
      this.controller = controller;
    }

    @Override
    public void onEvent(RolloutEvent event) {
      long nowNanos = System.nanoTime();
      Instant now = Instant.now();
      event.status().timers().pauseUntil().ifPresent(due -> pauseDue.put(event.key(), due));
      if (event instanceof WeightChanged w) {
        weightChanges.increment();
        if (w.to() == 20) {
          Long sent = controller.canaryReadySentAt.get(event.key().toString());
          if (sent == null) {
            readyWithoutWrite.add(event.key().toString());
          } else {
            readyToWeight.add((nowNanos - sent) / 1e6);
          }
        } else if (w.to() == 50) {
          Instant due = pauseDue.get(event.key());
          if (due != null) {
            pauseToWeight.add(Duration.between(due, now).toNanos() / 1e6);
          }
        }
      } else if (event instanceof PhaseChanged p && p.to() == Phase.PROMOTING) {
        Instant due = pauseDue.get(event.key());
        if (due != null) {
          pauseToPromotion.add(Duration.between(due, now).toNanos() / 1e6);
        }
      }
    }
  }

  /**
   * fabric8's CRUD dispatcher, counting the runner's requests by phase, method and resource (told
   * apart from the set-up's and the controller's by the User-Agent).
   */
  static final class RequestCounter extends KubernetesCrudDispatcher {
    private volatile String phase = "setup";
    final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    void phase(String phase) {
      this.phase = phase;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String agent = request.getHeader("User-Agent");
      if (agent != null && agent.startsWith(RUNNER_AGENT)) {
        counts.computeIfAbsent(phase + " " + describe(request.getMethod(), request.getPath()), k -> new LongAdder())
            .increment();
      }
      return super.dispatch(request);
    }

    /** "GET virtualservices", "WATCH deployments", "PUT leases". */
    static String describe(String method, String path) {
      String[] pathAndQuery = path.split("\\?", 2);
      String query = pathAndQuery.length > 1 ? pathAndQuery[1] : "";
      String[] parts = pathAndQuery[0].split("/");
      String resource = "?";
      for (int i = 0; i < parts.length; i++) {
        if (parts[i].equals("namespaces") && i + 2 < parts.length) {
          resource = parts[i + 2];
          if (i + 4 < parts.length) {
            resource += "/" + parts[i + 4];
          }
          break;
        }
        resource = parts[i];
      }
      String verb = query.contains("watch=true") ? "WATCH" : method;
      return verb + " " + resource;
    }

    long count(String phase, String prefix) {
      return counts.entrySet().stream().filter(e -> e.getKey().startsWith(phase + " " + prefix))
          .mapToLong(e -> e.getValue().sum()).sum();
    }

    void printTable(int rollouts, long weightChanges, double waitedSeconds) {
      System.out.println("| runner's API requests by phase | count |\n|---|---|");
      new TreeMap<>(counts).forEach((k, v) -> System.out.printf(Locale.ROOT, "| %s | %d |%n", k, v.sum()));
      long vsWrites = count("run", "PUT virtualservices") + count("run", "PATCH virtualservices");
      System.out.println();
      System.out.printf(Locale.ROOT, "weight changes (events): %d; VirtualService writes while running: %d -> %.2f per "
          + "weight change (one routing object per rollout)%n", weightChanges, vsWrites,
          weightChanges == 0 ? Double.NaN : (double) vsWrites / weightChanges);
      long leaseRequests = count("waiting", "GET leases") + count("waiting", "PUT leases");
      long otherWaiting = counts.entrySet().stream().filter(e -> e.getKey().startsWith("waiting "))
          .filter(e -> !e.getKey().contains(" leases")).mapToLong(e -> e.getValue().sum()).sum();
      System.out.printf(Locale.ROOT, "while %d rollouts wait (%.1f s): lease renewals %d requests (%.1f/s), every other "
          + "request %d%n", rollouts, waitedSeconds, leaseRequests, leaseRequests / waitedSeconds, otherWaiting);
    }
  }
}
