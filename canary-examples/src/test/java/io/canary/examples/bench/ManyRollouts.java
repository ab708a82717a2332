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
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
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
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * N concurrent rollouts driven by one {@link CanaryRunner} on one {@link SystemScheduler} (real time,
 * default threads), with the real adapters: IstioTrafficRouter, KubernetesWorkloads, ConfigMapStateStore
 * and KubernetesRunnerLeases (one Lease for the runner). Each rollout: setWeight 20, pause 2s, setWeight 50, pause 2s, promotion,
 * scale-down delay 2s.
 *
 * <p>By default against fabric8's in-process API server. That server has no Deployment controller, so a
 * tiny one runs here: an informer on Deployments that writes each one's status ready (replicas, ready,
 * available, updated = spec.replicas, observedGeneration = generation) through the status subresource.
 * The rollouts therefore learn about readiness from their watches, as against a real cluster. The
 * controller holds the canaries back until every rollout has started: that is when heap, threads and
 * requests of waiting rollouts are measured.
 *
 * <p>With {@code --kubeconfig=PATH} (and {@code --context=NAME}) against the API server it names: Istio's
 * CRDs are checked first (nothing is created when they are missing); the namespaces get a per-run suffix
 * and are deleted at the end, on a failure and on an interrupt too; the pods run {@code --image}
 * (stable) and {@code --canary-image}, and the cluster's own controllers make them ready, so the
 * benchmark only observes. {@code --simulate-readiness} runs the readiness controller there too (and
 * creates the stable ReplicaSets), for an API server without controllers.
 *
 * <p>The runner's requests are counted on its own client ({@link RequestCounts}), by phase, verb and
 * resource: {@code setup} (the runner's creation), {@code start} (the {@code runner.start} calls),
 * {@code waiting} (every rollout waits for its canary's readiness, in the in-process mode and with
 * {@code --simulate-readiness}), {@code run} (until the last rollout ends), {@code after} (closing).
 *
 * <p>Arguments: {@code [rollouts=1000] [namespaces=5] [quietSeconds=10] [readyPerSecond=25]
 * [leaseSeconds=15] [--kubeconfig=PATH] [--context=NAME] [--simulate-readiness] [--image=IMAGE]
 * [--canary-image=IMAGE]}. Prints figures; asserts nothing.
 */
public final class ManyRollouts {
  private static final String SETUP_AGENT = "canary-bench-setup";
  private static final String RUNNER_AGENT = "canary-bench-runner";
  private static final String CONTROLLER_AGENT = "canary-bench-controller";
  private static final Duration PAUSE = Duration.ofSeconds(2);
  /** Marks the namespaces of a run on a real cluster: {@code kubectl delete namespace -l canary.io/bench-run}. */
  public static final String RUN_LABEL = "canary.io/bench-run";
  static final List<String> ISTIO_CRDS = List.of("virtualservices.networking.istio.io",
      "destinationrules.networking.istio.io");

  /**
   * What to run.
   *
   * @param kubeconfig the cluster to run against; empty: the in-process API server
   * @param context the kubeconfig's context; empty: its current context
   * @param simulateReadiness run the readiness controller (and create the stable ReplicaSets) against the
   *     kubeconfig's server too, which then needs no controllers
   * @param image the stable pods' image on a cluster
   * @param canaryImage the canary's image on a cluster (the new revision: another image than the stable's)
   */
  public record Options(int rollouts, int namespaces, int quietSeconds, int readyPerSecond, int leaseSeconds,
      Optional<Path> kubeconfig, Optional<String> context, boolean simulateReadiness, String image,
      String canaryImage) {
    static final String DEFAULT_IMAGE = "registry.k8s.io/pause:3.9";
    static final String DEFAULT_CANARY_IMAGE = "registry.k8s.io/pause:3.10";
    private static final List<String> NUMBERS = List.of("rollouts", "namespaces", "quietSeconds", "readyPerSecond",
        "leaseSeconds");

    /** The plain numbers in their order ({@code rollouts namespaces quietSeconds readyPerSecond leaseSeconds}), and options. */
    public static Options parse(String... args) {
      int[] numbers = {1000, 5, 10, 25, 15};
      int position = 0;
      Path kubeconfig = null;
      String context = null;
      boolean simulateReadiness = false;
      String image = DEFAULT_IMAGE;
      String canaryImage = DEFAULT_CANARY_IMAGE;
      for (String arg : args) {
        if (arg.startsWith("--")) {
          String[] nameValue = arg.substring(2).split("=", 2);
          String value = nameValue.length > 1 ? nameValue[1] : null;
          switch (nameValue[0]) {
            case "kubeconfig" -> kubeconfig = Path.of(required(arg, value));
            case "context" -> context = required(arg, value);
            case "image" -> image = required(arg, value);
            case "canary-image" -> canaryImage = required(arg, value);
            case "simulate-readiness" -> {
              if (value != null) {
                throw new IllegalArgumentException(arg + ": --simulate-readiness takes no value");
              }
              simulateReadiness = true;
            }
            default -> throw new IllegalArgumentException("unknown option " + arg + "; the options are --kubeconfig=PATH,"
                + " --context=NAME, --simulate-readiness, --image=IMAGE, --canary-image=IMAGE");
          }
        } else {
          if (position >= numbers.length) {
            throw new IllegalArgumentException("too many numbers: '" + arg + "'; they are " + NUMBERS);
          }
          try {
            numbers[position] = Integer.parseInt(arg);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(NUMBERS.get(position) + " must be a whole number, was '" + arg + "'");
          }
          if (numbers[position] < 0 || (position < 2 && numbers[position] < 1)) {
            throw new IllegalArgumentException(NUMBERS.get(position) + " must be at least " + (position < 2 ? 1 : 0)
                + ", was " + arg);
          }
          position++;
        }
      }
      if (context != null && kubeconfig == null) {
        throw new IllegalArgumentException("--context=" + context + " names a context of a kubeconfig: give --kubeconfig=PATH too");
      }
      if (simulateReadiness && kubeconfig == null) {
        throw new IllegalArgumentException("--simulate-readiness is for --kubeconfig mode: the in-process API server"
            + " always runs the readiness controller");
      }
      if (image.equals(canaryImage)) {
        throw new IllegalArgumentException("--canary-image must differ from --image (" + image + "): the canary is a new"
            + " revision");
      }
      return new Options(numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], Optional.ofNullable(kubeconfig),
          Optional.ofNullable(context), simulateReadiness, image, canaryImage);
    }

    private static String required(String arg, String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(arg + " needs a value: " + arg.split("=", 2)[0] + "=...");
      }
      return value;
    }

    boolean inCluster() {
      return kubeconfig.isPresent();
    }

    /** The readiness controller runs, the stable ReplicaSets are created: a server without controllers. */
    boolean simulatesControllers() {
      return !inCluster() || simulateReadiness;
    }
  }

  /**
   * What a run ended with.
   *
   * @param namespaces the run's namespaces (deleted at the end on a cluster)
   * @param requests the runner's requests by phase, verb and resource
   */
  public record Result(int rollouts, int succeeded, List<String> namespaces, RequestCounts requests) {}

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    MachineFacts.logToFile("many-rollouts");
    run(options);
  }

  /** Runs the benchmark and prints its figures. */
  public static Result run(Options o) throws Exception {
    int rollouts = o.rollouts();
    int namespaces = o.namespaces();
    // A kubeconfig that names no server is an error before anything is printed or created.
    Supplier<Config> config = o.inCluster() ? kubeconfig(o.kubeconfig().get(), o.context()) : null;
    MachineFacts.print("ManyRollouts: " + rollouts + " rollouts in " + namespaces + " namespaces, one runner, "
        + (o.inCluster() ? "the API server " + config.get().getMasterUrl() + " (kubeconfig " + o.kubeconfig().get()
            + o.context().map(c -> ", context " + c).orElse("") + ")"
            + (o.simulateReadiness() ? ", readiness simulated" : ", the cluster's controllers") : "in-process API server")
        + "; canaries made ready " + (!o.simulatesControllers() ? "by the cluster"
            : o.readyPerSecond() == 0 ? "all at once" : o.readyPerSecond() + " per second") + "; "
        + (o.leaseSeconds() == 0 ? "in-memory lease (no Lease)" : "KubernetesRunnerLeases (one Lease for the runner), lease " + o.leaseSeconds() + " s"));

    RequestCounts requests = new RequestCounts("setup");
    KubernetesMockServer server = null;
    if (!o.inCluster()) {
      server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(),
          false);
      server.init();
      String url = server.url("/");
      config = () -> new ConfigBuilder(Config.empty()).withMasterUrl(url).withNamespace("default")
          .withRequestRetryBackoffLimit(0).build();
    }
    try (KubernetesClient setup = client(config, SETUP_AGENT, null);
        KubernetesClient controllerClient = client(config, CONTROLLER_AGENT, null);
        KubernetesClient runnerClient = client(config, RUNNER_AGENT, requests)) {
      if (o.inCluster()) {
        requireIstioCrds(setup);
      }
      String runId = o.inCluster() ? newRunId() : "";
      List<String> nss = new ArrayList<>();
      for (int n = 0; n < namespaces; n++) {
        nss.add(o.inCluster() ? "bench-" + runId + "-" + n : "bench-" + n);
      }
      try (RunNamespaces cleanUp = o.inCluster() ? RunNamespaces.deletedAtEnd(config, nss) : RunNamespaces.kept()) {
        int succeeded = run(o, requests, setup, controllerClient, runnerClient, nss, runId);
        return new Result(rollouts, succeeded, List.copyOf(nss), requests);
      }
    } finally {
      if (server != null) {
        server.destroy();
      }
    }
  }

  private static int run(Options o, RequestCounts requests, KubernetesClient setup, KubernetesClient controllerClient,
      KubernetesClient runnerClient, List<String> nss, String runId) throws Exception {
    int rollouts = o.rollouts();
    for (String ns : nss) {
      NamespaceBuilder namespace = new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata();
      if (o.inCluster()) {
        namespace.editMetadata().addToLabels(RUN_LABEL, runId).endMetadata();
      }
      setup.namespaces().resource(namespace.build()).create();
    }
    if (o.inCluster()) {
      System.out.println("namespaces of this run (deleted at its end; left over after a kill: kubectl delete namespace -l "
          + RUN_LABEL + "=" + runId + "): " + String.join(", ", nss));
    }
    long setupStart = System.nanoTime();
    String stableImage = o.inCluster() ? o.image() : "example/app:1.0";
    String canaryImage = o.inCluster() ? o.canaryImage() : "example/app:2.0";
    for (int i = 0; i < rollouts; i++) {
      createApp(setup, nss.get(i % nss.size()), "app-" + i, stableImage, o.simulatesControllers());
    }
    ReadinessController controller = new ReadinessController(controllerClient, nss, o.simulatesControllers());
    controller.start();
    if (!o.simulatesControllers()) {
      controller.awaitStableReady(rollouts, Duration.ofMinutes(10));
    }
    System.out.printf(Locale.ROOT, "cluster set-up: %d apps (Deployment, %sService, DestinationRule, VirtualService)%s in"
        + " %.1f s%n", rollouts, o.simulatesControllers() ? "ReplicaSet, " : "", o.simulatesControllers() ? ""
            : ", stable Deployments available", (System.nanoTime() - setupStart) / 1e9);

    System.out.printf(Locale.ROOT, "one GET of a Deployment on the API server holding them: %.2f ms median (compare "
        + "runs of different sizes: the in-process server's cost per request grows with the objects it holds)%n",
        medianGetMillis(setup, nss.get(0)));

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
    lock(builder, runnerClient, scheduler, o.leaseSeconds(), nss.get(0));
    CanaryRunner runner = builder.build();
    List<RolloutHandle> handles = new ArrayList<>();
    int succeeded = 0;
    double waitedSeconds = 0;
    long heapWaiting = -1;
    long startAll;
    long release;
    try {
      requests.phase("start");
      startAll = System.nanoTime();
      for (int i = 0; i < rollouts; i++) {
        handles.add(runner.start(spec(nss.get(i % nss.size()), "app-" + i, canaryImage)));
      }
      long started = System.nanoTime();
      if (o.simulatesControllers()) {
        // Each rollout has created its canary (0 replicas), asked it for 1 replica, and waits on its watch.
        controller.awaitCanaryScaledUp(rollouts, Duration.ofMinutes(5));
        System.out.printf(Locale.ROOT, "runner.start of %d rollouts: %.1f s; all canaries created and scaled up "
            + "after %.1f s%n", rollouts, (started - startAll) / 1e9, (System.nanoTime() - startAll) / 1e9);
        heapWaiting = MachineFacts.usedHeapAfterGc();
        threadsAt.put("2 during: every rollout waiting for readiness", MachineFacts.liveThreads());
        // A quiet window: every rollout waits on its watch; a request now is the runner polling or renewing leases.
        requests.phase("waiting");
        long waitStart = System.nanoTime();
        new CountDownLatch(1).await(o.quietSeconds(), TimeUnit.SECONDS);
        waitedSeconds = (System.nanoTime() - waitStart) / 1e9;
        requests.phase("run");
        release = System.nanoTime();
        controller.releaseCanaries(o.readyPerSecond());
      } else {
        // The cluster's controllers make the canaries ready as soon as their pods run: there is no moment
        // at which every rollout waits, so no quiet window.
        requests.phase("run");
        release = started;
        System.out.printf(Locale.ROOT, "runner.start of %d rollouts: %.1f s (the cluster makes the canaries ready "
            + "meanwhile: no waiting window)%n", rollouts, (started - startAll) / 1e9);
        threadsAt.put("2 during: every rollout started", MachineFacts.liveThreads());
      }
      for (RolloutHandle h : handles) {
        RolloutStatus s = h.await(st -> st.phase().isTerminal(), Duration.ofMinutes(10));
        if (s.phase() == Phase.SUCCEEDED) {
          succeeded++;
        }
      }
    } finally {
      threadsAt.put("3 after: every rollout ended", MachineFacts.liveThreads());
      requests.phase("after");
      runner.close();
      workloads.close();
      scheduler.close();
      controller.close();
    }
    long done = System.nanoTime();
    double runSeconds = (done - release) / 1e9;

    System.out.println();
    System.out.printf(Locale.ROOT, "rollouts succeeded: %d of %d%n", succeeded, rollouts);
    System.out.printf(Locale.ROOT, "total time from the first start to the last success: %.1f s; from the %s: %.1f s "
        + "(each rollout: two 2 s pauses and a 2 s scale-down delay)%n", (done - startAll) / 1e9,
        o.simulatesControllers() ? "release of the canaries" : "last runner.start", runSeconds);
    System.out.println();
    System.out.println(MachineFacts.latencyHeader("latency (ms)"));
    System.out.println(MachineFacts.latencyRow(o.simulatesControllers() ? "readiness written -> weight 20 saved"
        : "readiness seen by the benchmark -> weight 20 saved", timings.readyToWeight));
    System.out.println(MachineFacts.latencyRow("pause due -> weight 50 saved", timings.pauseToWeight));
    System.out.println(MachineFacts.latencyRow("pause due -> promotion started", timings.pauseToPromotion));
    System.out.println();
    printRequests(requests, rollouts, timings.weightChanges.sum(), waitedSeconds, runSeconds);
    System.out.println();
    System.out.println("| JVM threads | count |\n|---|---|");
    threadsAt.forEach((k, v) -> System.out.printf(Locale.ROOT, "| %s | %d |%n", k.substring(2), v));
    System.out.println();
    if (heapWaiting >= 0) {
      System.out.printf(Locale.ROOT, "heap after GC: before %.1f MB, %d rollouts waiting %.1f MB -> %.1f KB per "
          + "waiting rollout (runner, adapters and their watch caches)%n", heapBefore / 1048576.0, rollouts,
          heapWaiting / 1048576.0, (heapWaiting - heapBefore) / 1024.0 / rollouts);
    }
    timings.readyWithoutWrite.forEach(k -> System.out.println("no readiness " + (o.simulatesControllers() ? "write" : "seen")
        + " before weight 20: " + k));
    return succeeded;
  }

  /**
   * The runner's lease: one Lease for the runner ({@link KubernetesRunnerLeases}, in the first
   * namespace) of {@code leaseSeconds}, renewed every third of it; 0: in memory. The one place that says
   * how the runner holds its rollouts.
   */
  private static void lock(CanaryRunner.Builder builder, KubernetesClient client, SystemScheduler scheduler,
      int leaseSeconds, String namespace) {
    if (leaseSeconds > 0) {
      builder.leases(KubernetesRunnerLeases.create(client, namespace, scheduler)).leaseDuration(Duration.ofSeconds(leaseSeconds));
    }
  }

  private static void printRequests(RequestCounts requests, int rollouts, long weightChanges, double waitedSeconds,
      double runSeconds) {
    System.out.print(requests.table("runner's API requests (counted on its client)", rollouts, "run"));
    long vsWrites = requests.count("run", "PUT virtualservices") + requests.count("run", "PATCH virtualservices");
    System.out.println();
    System.out.printf(Locale.ROOT, "weight changes (events): %d; VirtualService writes while running: %d -> %.2f per "
        + "weight change (one routing object per rollout)%n", weightChanges, vsWrites,
        weightChanges == 0 ? Double.NaN : (double) vsWrites / weightChanges);
    if (requests.phases().contains("waiting")) {
      long leaseRequests = requests.onResource("waiting", "leases");
      long otherWaiting = requests.all("waiting") - leaseRequests;
      System.out.printf(Locale.ROOT, "while %d rollouts wait (%.1f s): lease requests %d (%.1f per second), every other "
          + "request %d%n", rollouts, waitedSeconds, leaseRequests, leaseRequests / waitedSeconds, otherWaiting);
    }
    long leaseRunning = requests.onResource("run", "leases");
    System.out.printf(Locale.ROOT, "while running (%.1f s): lease requests %d (%.1f per second); requests per rollout: "
        + "%.2f while running, %.2f in the whole run (leases included)%n", runSeconds, leaseRunning,
        leaseRunning / runSeconds, (double) requests.all("run") / rollouts, (double) requests.wholeRun() / rollouts);
  }

  /** Configurations read from the kubeconfig, one per client; a clear error for a missing file or context. */
  private static Supplier<Config> kubeconfig(Path path, Optional<String> context) {
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("--kubeconfig=" + path + ": no such file");
    }
    Config first = Config.fromKubeconfig(context.orElse(null), path.toFile());
    List<String> contexts = first.getContexts() == null ? List.of()
        : first.getContexts().stream().map(NamedContext::getName).sorted().toList();
    context.ifPresent(c -> {
      if (!contexts.contains(c)) {
        throw new IllegalArgumentException("--context=" + c + ": kubeconfig " + path + " has no such context; it has "
            + contexts);
      }
    });
    if (first.getMasterUrl() == null || first.getMasterUrl().isBlank()) {
      throw new IllegalArgumentException("kubeconfig " + path + " names no API server for context "
          + context.orElse("(current)"));
    }
    return () -> Config.fromKubeconfig(context.orElse(null), path.toFile());
  }

  /**
   * Istio's VirtualService and DestinationRule CRDs, served at networking.istio.io/v1, or an error saying
   * which are missing; checked before anything is created.
   */
  static void requireIstioCrds(KubernetesClient c) {
    List<String> missing = new ArrayList<>();
    for (String crd : ISTIO_CRDS) {
      try {
        CustomResourceDefinition found = c.apiextensions().v1().customResourceDefinitions().withName(crd).get();
        if (found == null) {
          missing.add(crd + " (no such CustomResourceDefinition)");
        } else if (found.getSpec() == null || found.getSpec().getVersions().stream()
            .noneMatch(v -> "v1".equals(v.getName()) && Boolean.TRUE.equals(v.getServed()))) {
          missing.add(crd + " (found, but it serves no version v1; Istio 1.22 or later serves v1)");
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() != 403) {
          throw new IllegalStateException("cannot read CustomResourceDefinition " + crd + " on " + c.getMasterUrl() + ": "
              + e.getMessage() + "; nothing was created", e);
        }
        // Not allowed to read CRDs: a list of the resource itself tells whether the API serves it.
        try {
          if (crd.startsWith("virtualservices")) {
            c.resources(VirtualService.class).inNamespace("default").list(new ListOptionsBuilder().withLimit(1L).build());
          } else {
            c.resources(DestinationRule.class).inNamespace("default").list(new ListOptionsBuilder().withLimit(1L).build());
          }
        } catch (KubernetesClientException listed) {
          if (listed.getCode() == 404) {
            missing.add(crd + " (networking.istio.io/v1 is not served)");
          } else if (listed.getCode() != 403) {
            throw listed;
          }
        }
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("ManyRollouts needs Istio's CRDs on " + c.getMasterUrl() + "; missing: "
          + String.join(", ", missing) + ". Install Istio, or apply the repository's scenarios/istio-crds.yaml (kubectl"
          + " apply -f scenarios/istio-crds.yaml), and run again. Nothing was created.");
    }
  }

  /** Five random lower case letters and digits: the suffix of a run's namespaces. */
  private static String newRunId() {
    String chars = "abcdefghijklmnopqrstuvwxyz0123456789";
    SecureRandom random = new SecureRandom();
    StringBuilder id = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      id.append(chars.charAt(random.nextInt(chars.length())));
    }
    return id.toString();
  }

  /**
   * Deletes a run's namespaces on a cluster when closed, or from a shutdown hook when the JVM is
   * interrupted first (Ctrl-C): the hook builds a client of its own, the benchmark's may be closed.
   */
  private static final class RunNamespaces implements AutoCloseable {
    private final Supplier<Config> config;
    private final List<String> namespaces;
    private final AtomicBoolean deleted = new AtomicBoolean();
    private final Thread hook;

    private RunNamespaces(Supplier<Config> config, List<String> namespaces) {
      this.config = config;
      this.namespaces = namespaces;
      this.hook = config == null ? null : new Thread(this::delete, "bench-namespace-clean-up");
      if (hook != null) {
        Runtime.getRuntime().addShutdownHook(hook);
      }
    }

    static RunNamespaces deletedAtEnd(Supplier<Config> config, List<String> namespaces) {
      return new RunNamespaces(config, List.copyOf(namespaces));
    }

    /** The in-process server goes with its namespaces. */
    static RunNamespaces kept() {
      return new RunNamespaces(null, List.of());
    }

    private void delete() {
      if (config == null || !deleted.compareAndSet(false, true)) {
        return;
      }
      try (KubernetesClient c = client(config, SETUP_AGENT, null)) {
        for (String ns : namespaces) {
          try {
            c.namespaces().withName(ns).delete();
          } catch (KubernetesClientException e) {
            System.err.println("could not delete namespace " + ns + ": " + e.getMessage());
          }
        }
      }
      System.out.println("deleted the run's namespaces (the API server removes their objects in the background): "
          + String.join(", ", namespaces));
    }

    @Override
    public void close() {
      delete();
      if (hook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // The JVM is exiting: the hook has run or is running, and deletes nothing twice.
        }
      }
    }
  }

  static CanarySpec spec(String namespace, String app, String canaryImage) {
    return CanarySpec.builder()
        .name(app).namespace(namespace)
        .target(WorkloadRef.deployment(app))
        .revision(NewRevision.image("app", canaryImage))
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

  /** A client of its own configuration, told apart by its User-Agent; {@code counts}: its requests are counted. */
  private static KubernetesClient client(Supplier<Config> configs, String agent, RequestCounts counts) {
    Config config = configs.get();
    config.setUserAgent(agent);
    config.setRequestTimeout(30_000);
    boolean plainHttp = config.getMasterUrl().startsWith("http:");
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientBuilderConsumer(b -> {
          if (plainHttp) {
            // The JDK client upgrades plain HTTP to HTTP/2 (h2c); the mock server then sends a large list
            // (1,000 Deployments) in one frame over the allowed size, and the request fails or hangs.
            b.preferHttp11();
          }
          if (counts != null) {
            counts.addTo(b);
          }
        })
        .build();
  }

  /**
   * What a user has before a release: two stable replicas rolled out, a Service, subsets, a route. With
   * {@code withReplicaSet} the stable ReplicaSet too (on a server without a Deployment controller).
   */
  private static void createApp(KubernetesClient c, String ns, String app, String image, boolean withReplicaSet) {
    Map<String, String> selector = Map.of("app", app);
    PodTemplateSpec template = new PodTemplateSpecBuilder().withNewMetadata().withLabels(selector).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage(image).endContainer().endSpec().build();
    Map<String, String> revision = Map.of("deployment.kubernetes.io/revision", "1");
    Deployment d = c.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder()
        .withNewMetadata().withName(app).withNamespace(ns).withAnnotations(revision).endMetadata()
        .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(selector).endSelector()
        .withTemplate(template).endSpec().build()).create();
    if (withReplicaSet) {
      createReplicaSet(c, ns, app, d, selector, template, revision);
    }
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

  /** The stable Deployment's ReplicaSet, as its controller would create it: owned by it, with a pod-template-hash. */
  private static void createReplicaSet(KubernetesClient c, String ns, String app, Deployment d, Map<String, String> selector,
      PodTemplateSpec template, Map<String, String> revision) {
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
  }

  /**
   * Plays the Deployment controller: every Deployment's status follows its spec at once. Canaries
   * are held (no status written) until {@link #releaseCanaries}. Remembers when it sent each
   * canary's ready status, so the runner's reaction to it can be timed.
   *
   * <p>With {@code writes} false (a cluster whose own controllers make the pods ready) it only watches:
   * it remembers when it saw each canary scaled up and ready, and which stable Deployments are available.
   */
  static final class ReadinessController implements AutoCloseable {
    private final KubernetesClient client;
    private final List<String> namespaces;
    private final boolean writes;
    private final AtomicBoolean holdCanaries = new AtomicBoolean(true);
    private final Set<String> canariesScaledUp = ConcurrentHashMap.newKeySet();
    private final Set<String> stablesAvailable = ConcurrentHashMap.newKeySet();
    private final Set<String> released = ConcurrentHashMap.newKeySet();
    private final ScheduledThreadPoolExecutor pacer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "bench-readiness-pacer");
      t.setDaemon(true);
      return t;
    });
    /** Canary key (namespace/rollout) -> System.nanoTime() just before its ready status was sent (or seen). */
    final Map<String, Long> canaryReadySentAt = new ConcurrentHashMap<>();
    private final List<SharedIndexInformer<Deployment>> informers = new ArrayList<>();

    ReadinessController(KubernetesClient client, List<String> namespaces, boolean writes) {
      this.client = client;
      this.namespaces = List.copyOf(namespaces);
      this.writes = writes;
      pacer.prestartAllCoreThreads();   // counted with the threads before the runner, not as the runner's
    }

    void start() throws Exception {
      for (String ns : namespaces) {
        SharedIndexInformer<Deployment> informer = client.apps().deployments().inNamespace(ns).runnableInformer(0);
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
        informers.add(informer);
      }
      for (SharedIndexInformer<Deployment> informer : informers) {
        // Bounded: a watch the server never opens fails the benchmark rather than hanging it.
        informer.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }

    /** Watches only: what the cluster's controllers did. */
    private void observe(Deployment d) {
      int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
      var st = d.getStatus();
      int ready = st == null || st.getReadyReplicas() == null ? 0 : st.getReadyReplicas();
      if (isCanary(d)) {
        if (replicas > 0) {
          canariesScaledUp.add(key(d));
          if (ready >= replicas) {
            canaryReadySentAt.putIfAbsent(key(d), System.nanoTime());
          }
        }
        return;
      }
      long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
      if (st != null && st.getObservedGeneration() != null && st.getObservedGeneration() >= generation
          && Objects.equals(st.getUpdatedReplicas(), replicas) && Objects.equals(st.getAvailableReplicas(), replicas)) {
        stablesAvailable.add(key(d));
      }
    }

    private static boolean isCanary(Deployment d) {
      return d.getMetadata().getName().endsWith("-canary");
    }

    private void reconcile(Deployment d) {
      if (!writes) {
        observe(d);
        return;
      }
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
      await(canariesScaledUp, count, limit, "canaries were scaled up");
    }

    /** Until the cluster's Deployment controller has rolled out every stable Deployment. */
    void awaitStableReady(int count, Duration limit) throws InterruptedException {
      await(stablesAvailable, count, limit, "stable Deployments were available (are the images pulled, the pods"
          + " scheduled? kubectl get pods -n " + namespaces.get(0) + ")");
    }

    private static void await(Set<String> seen, int count, Duration limit, String what) throws InterruptedException {
      long deadline = System.nanoTime() + limit.toNanos();
      CountDownLatch tick = new CountDownLatch(1);
      while (seen.size() < count && System.nanoTime() < deadline) {
        tick.await(50, TimeUnit.MILLISECONDS);   // bounded wait on a condition, at the set-up only
      }
      if (seen.size() < count) {
        throw new IllegalStateException("only " + seen.size() + " of " + count + " " + what + " within " + limit);
      }
    }

    /** Lets the canaries become ready, {@code perSecond} of them a second (0: all at once). */
    void releaseCanaries(int perSecond) {
      List<Deployment> canaries = informers.stream().flatMap(i -> i.getStore().list().stream())
          .filter(ReadinessController::isCanary)
          .sorted(Comparator.comparing((Deployment d) -> d.getMetadata().getName())
              .thenComparing(d -> d.getMetadata().getNamespace())).toList();
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
          reconcile(current(d));
        } else {
          holdCanaries.set(false);
          throw new CancellationException("every canary released");   // ends the schedule
        }
      }, 0, 1_000_000 / perSecond, TimeUnit.MICROSECONDS);
    }

    /** The informer's latest copy of {@code d}. */
    private Deployment current(Deployment d) {
      String key = d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
      return informers.stream().map(i -> i.getStore().getByKey(key)).filter(Objects::nonNull).findFirst().orElse(d);
    }

    @Override
    public void close() {
      pacer.shutdownNow();
      informers.forEach(SharedIndexInformer::close);
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
      // The pause's due time as saved before this event: the status an event carries is the one saved
      // with it, which may already hold the next pause (a weight and the pause after it are one save).
      Optional<Instant> nextDue = event.status().timers().pauseUntil();
      try {
        time(event, nowNanos, now);
      } finally {
        nextDue.ifPresent(due -> pauseDue.put(event.key(), due));
      }
    }

    private void time(RolloutEvent event, long nowNanos, Instant now) {
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
}
