package io.canary.examples;

import io.canary.core.AnalysisSpec;
import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutStatus;
import io.canary.core.analysis.AnalysisGates;
import io.canary.core.spi.MetricSource;
import io.canary.core.spi.TrafficRouter;
import io.canary.core.time.Scheduler;
import io.canary.core.time.SystemScheduler;
import io.canary.hpa.HpaAwareWorkloads;
import io.canary.istio.telemetry.PrometheusMetricSource;
import io.canary.kubernetes.ConfigMapStateStore;
import io.canary.kubernetes.ConfigMapTargetClaims;
import io.canary.kubernetes.KubernetesWorkloads;
import io.canary.kubernetes.KubernetesRunnerLeases;
import io.canary.testing.Behaviour;
import io.canary.testing.PodMatcher;
import io.canary.testing.SimulatedCluster;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The rollouts-demo scenario (scenarios/rollouts-demo-subsets): blue to red with its HPA, steps 20 /
 * pause / 40 / 60 / 80 / promotion, then a bad revision that analysis aborts. On the simulated
 * cluster by default (virtual time: the whole story takes a few seconds); on a real cluster with
 * Istio when given a kubeconfig ({@code --kubeconfig PATH} or {@code KUBECONFIG}). With
 * {@code --scenario appA-gateway-api} the same story runs over the Gateway API (an HTTPRoute).
 */
public final class Demo {
  private final DemoOptions options;
  private final DemoScenario scenario;
  private final PrintStream out;

  Demo(DemoOptions options, PrintStream out) {
    this.options = options;
    this.scenario = options.scenario();
    this.out = out;
  }

  public static void main(String[] args) {
    DemoOptions options;
    try {
      options = DemoOptions.parse(args, System.getenv("KUBECONFIG"));
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(DemoOptions.USAGE);
      System.exit(2);
      return;
    }
    if (options.help()) {
      System.out.println(DemoOptions.USAGE);
      return;
    }
    List<RolloutStatus> results = new Demo(options, System.out).run();
    boolean asExpected = results.size() == 2 && results.get(0).phase() == Phase.SUCCEEDED
        && results.get(1).phase() == Phase.ABORTED;
    System.exit(asExpected ? 0 : 1);
  }

  /** Runs both parts and returns their final statuses: the good release, then the bad one. */
  List<RolloutStatus> run() {
    return options.kubeconfig().isPresent() ? onRealCluster(options.kubeconfig().get()) : onSimulatedCluster();
  }

  // ------------------------------------------------------------------ the simulated cluster

  private List<RolloutStatus> onSimulatedCluster() {
    out.println("Canary SDK demo: " + scenario.description());
    RolloutStatus good = simulated("part 1: -> " + scenario.goodImage(), scenario.goodImage(), false, scenario.chartPrefix() + "-good");
    RolloutStatus bad = simulated("part 2: -> " + scenario.badImage() + " (30% errors), with analysis", scenario.badImage(), true,
        scenario.chartPrefix() + "-bad");
    return List.of(good, bad);
  }

  private RolloutStatus simulated(String title, String image, boolean withAnalysis, String chartName) {
    banner(title);
    try (SimulatedCluster sim = SimulatedCluster.builder().podStartupDelay(Duration.ofSeconds(10)).build()) {
      sim.loadScenario(scenario.name());
      scenario.traffic().accept(sim.traffic());
      sim.traffic().behaviour(PodMatcher.image(scenario.badImage()), Behaviour.builder().errorRate(0.30).build());
      KubernetesClient client = sim.client();
      CanarySpec spec = DemoPlan.spec(scenario, image, withAnalysis ? Optional.of(sim.traffic().metricSource()) : Optional.empty());
      RolloutStatus end = drive(client, sim.scheduler(), spec, Optional.of(sim));
      Path chart = options.outputDirectory().resolve(chartName + ".html");
      sim.timeline().writeHtml(chart, "Canary SDK demo, " + title);
      sim.timeline().writeText(options.outputDirectory().resolve(chartName + ".txt"));
      out.println();
      out.println("Timeline chart (weights, replicas per revision, error rates): " + chart.toAbsolutePath());
      return end;
    }
  }

  // ------------------------------------------------------------------ a real cluster

  private List<RolloutStatus> onRealCluster(Path kubeconfig) {
    out.println("Canary SDK demo: " + scenario.name() + " on the cluster of " + kubeconfig);
    Config config = Config.fromKubeconfig(null, readKubeconfig(kubeconfig), kubeconfig.toString());
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        SystemScheduler scheduler = SystemScheduler.create()) {
      ScenarioFiles.createMissing(client, scenario.name(), scenario.namespace()).forEach(o -> out.println("created " + o));
      Optional<MetricSource> prometheus = options.prometheusUrl()
          .map(url -> PrometheusMetricSource.builder().baseUrl(url).build());
      banner("part 1: -> " + scenario.goodImage());
      RolloutStatus good = drive(client, scheduler, DemoPlan.spec(scenario, scenario.goodImage(), Optional.empty()), Optional.empty());
      banner("part 2: -> " + scenario.badImage() + (prometheus.isPresent() ? ", with analysis on Istio telemetry" : ""));
      if (prometheus.isEmpty()) {
        out.println("(no --prometheus URL given: the bad release is aborted by hand after its first pause)");
      }
      RolloutStatus bad = drive(client, scheduler, DemoPlan.spec(scenario, scenario.badImage(), prometheus), Optional.empty());
      return List.of(good, bad);
    }
  }

  private static String readKubeconfig(Path kubeconfig) {
    try {
      return Files.readString(kubeconfig);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("kubeconfig " + kubeconfig + " cannot be read: " + e.getMessage(), e);
    }
  }

  // ------------------------------------------------------------------ one rollout

  private RolloutStatus drive(KubernetesClient client, Scheduler scheduler, CanarySpec spec, Optional<SimulatedCluster> sim) {
    Progress progress = new Progress(out, scheduler);
    TrafficRouter router = scenario.router().apply(client);
    try (KubernetesWorkloads deployments = KubernetesWorkloads.create(client);
        HpaAwareWorkloads workloads = HpaAwareWorkloads.wrap(client, deployments)) {
      return drive(router, deployments, workloads, client, scheduler, spec, sim, progress);
    } finally {
      if (router instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          out.println("could not close the router: " + e);
        }
      }
    }
  }

  private RolloutStatus drive(TrafficRouter router, KubernetesWorkloads deployments, HpaAwareWorkloads workloads,
      KubernetesClient client, Scheduler scheduler, CanarySpec spec, Optional<SimulatedCluster> sim, Progress progress) {
    CanaryRunner.Builder builder = CanaryRunner.builder()
        .trafficRouter(router)
        .workloads(workloads)
        .stateStore(ConfigMapStateStore.create(client, scenario.namespace()))
        .leases(KubernetesRunnerLeases.create(client, scenario.namespace(), scheduler))
        .claims(ConfigMapTargetClaims.create(client, scenario.namespace()))
        .scheduler(scheduler)
        .identity("canary-demo")
        .addListener(progress)
        .addListener(deployments.eventRecorder());
    sim.ifPresent(s -> builder.addListener(s.timeline()));
    try (CanaryRunner runner = builder.build()) {
      out.println();
      out.println(runner.plan(spec));
      RolloutHandle rollout = runner.start(spec);
      progress.follow(rollout);
      RolloutStatus paused = rollout.await(s -> s.phase() == Phase.PAUSED || s.phase().isTerminal(), Duration.ofMinutes(15));
      if (paused.phase() == Phase.PAUSED) {
        out.println(rollout.describe());
        if (spec.analysis().isPresent()) {
          out.println(">>> paused for a person; meanwhile the analysis keeps judging the canary");
          paused = awaitAtMost(rollout, s -> s.phase() != Phase.PAUSED, Duration.ofMinutes(1));
        }
      }
      if (paused.phase() == Phase.PAUSED) {
        if (spec.analysis().isEmpty() && spec.revision().images().containsValue(scenario.badImage())) {
          out.println(">>> the new revision misbehaves: aborting, as `kubectl argo rollouts abort` would");
          rollout.abort();
        } else {
          out.println(">>> looks good: promoting past the pause, as `kubectl argo rollouts promote` would");
          rollout.promote();
        }
      }
      RolloutStatus end = rollout.await(Duration.ofHours(1));
      out.println();
      out.println(rollout.describe());
      out.println(end.phase() == Phase.ABORTED
          ? "Aborted: " + end.abortReason().orElse("") + " - all traffic is back on stable."
          : "Result: " + end.phase().displayName() + " - " + end.message().orElse(""));
      return end;
    } finally {
      deployments.close();
      if (router instanceof AutoCloseable closeable) {
        closeQuietly(closeable);
      }
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      throw new IllegalStateException("closing " + closeable + " failed", e);
    }
  }

  /** The status once {@code condition} holds, or as it is after {@code limit}. */
  private static RolloutStatus awaitAtMost(RolloutHandle rollout, java.util.function.Predicate<RolloutStatus> condition,
      Duration limit) {
    try {
      return rollout.await(condition, limit);
    } catch (io.canary.core.CanaryException notYet) {
      return rollout.status();
    }
  }

  private void banner(String title) {
    out.println();
    out.println("=".repeat(100));
    out.println("  " + title);
    out.println("=".repeat(100));
  }

  /** The plan of the scenario, in code, with the demo's delays and analysis. */
  static final class DemoPlan {
    private DemoPlan() {}

    static CanarySpec spec(DemoScenario scenario, String image, Optional<MetricSource> analysisSource) {
      var spec = CanarySpec.builder().from(scenario.plan().apply(image))
          .scaleDownDelay(Duration.ofSeconds(30))
          .abortScaleDownDelay(Duration.ofSeconds(30));
      analysisSource.ifPresent(source -> spec.analysis(AnalysisSpec.builder()
          .name("success-rate")
          .gate(AnalysisGates.successRate(source, 0.95, 50))
          .interval(Duration.ofSeconds(20))
          .failureLimit(1)
          .build()));
      return spec.build();
    }
  }
}
