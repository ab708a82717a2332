package io.canary.testing;

import io.fabric8.istio.api.networking.v1alpha3.DestinationRule;
import io.fabric8.istio.api.networking.v1alpha3.VirtualService;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Prints how much wall time simulated hours take: the rollouts-demo scenario with gateway traffic
 * and its HPA, then a ten-step canary (scale the canary, wait for it, shift the weights, pause an
 * hour) written the way the adapters write, then idle hours. Not a test: it prints figures.
 */
public final class SimulationBenchmark {
  private static final String NS = "istio-argo-rollouts";
  private static final long[] PAUSE_NANOS = new long[1];

  public static void main(String[] args) {
    int hours = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Duration tick = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 1);
    warmUp();
    System.out.printf(Locale.ROOT, "traffic tick %s, %d hours%n", tick, hours);
    try (SimulatedCluster sim = SimulatedCluster.builder().podStartupDelay(Duration.ofSeconds(10)).tick(tick)
        .build()) {
      long start = System.nanoTime();
      sim.loadScenario("rollouts-demo-subsets");
      sim.traffic().flow("browsers").throughGateway("istio-system/rollouts-demo-gateway")
          .to(NS, "rollouts-demo.example.com").rate(25);
      sim.traffic().behaviour(PodMatcher.image("argoproj/rollouts-demo:red"),
          Behaviour.builder().errorRate(0.01).build());
      sim.advance(Duration.ofMinutes(2));
      long loaded = System.nanoTime();
      sim.advance(Duration.ofHours(hours));
      long idleBefore = System.nanoTime();
      PAUSE_NANOS[0] = 0;
      int steps = tenStepRollout(sim, Duration.ofMinutes(60));
      long rolled = System.nanoTime();
      sim.advance(Duration.ofHours(hours));
      long idleAfter = System.nanoTime();

      System.out.printf(Locale.ROOT, "start-up and 2 min of traffic: %6.0f ms%n", ms(start, loaded));
      System.out.printf(Locale.ROOT, "%d idle hours with traffic and HPA: %6.0f ms wall%n", hours,
          ms(loaded, idleBefore));
      System.out.printf(Locale.ROOT, "%d-step rollout, 1 h pauses (%d h virtual): %6.0f ms wall, of which the "
          + "pauses %.0f ms and the steps' requests and waits the rest%n", steps, steps, ms(idleBefore, rolled),
          PAUSE_NANOS[0] / 1e6);
      System.out.printf(Locale.ROOT, "%d more idle hours: %6.0f ms wall%n", hours, ms(rolled, idleAfter));
      Path chart = sim.timeline().writeHtml(Path.of("target", "benchmark-timeline.html"), "Simulation benchmark");
      System.out.printf(Locale.ROOT, "API requests: %d (%d by the simulated controllers), timeline samples: %d%n",
          sim.requests().size(), sim.requests().stream().filter(ObservedRequest::bySimulator).count(),
          sim.timeline().samples().size());
      System.out.println("settling: " + sim.settleStatistics());
      System.out.printf(Locale.ROOT, "one GET round trip on this machine now: %.2f ms median%n", medianGetMillis(sim));
      System.out.println("timeline chart: " + chart.toAbsolutePath());
    }
  }

  /** The JIT and the first HTTP connection cost about a second once per JVM; keep them out of the figures. */
  private static void warmUp() {
    try (SimulatedCluster sim = SimulatedCluster.builder().build()) {
      sim.loadScenario("rollouts-demo-subsets");
      sim.traffic().flow("w").throughGateway("istio-system/rollouts-demo-gateway").to(NS, "x").rate(25);
      tenStepRollout(sim, Duration.ofMinutes(1));
      sim.advance(Duration.ofHours(3));
    }
  }

  /** What a runner and the adapters write, step by step: canary scale, wait until available, weights. */
  private static int tenStepRollout(SimulatedCluster sim, Duration pause) {
    KubernetesClient client = sim.client();
    Deployment stable = client.apps().deployments().inNamespace(NS).withName("rollouts-demo-deployment").get();
    String stableHash = client.apps().replicaSets().inNamespace(NS).list().getItems().get(0).getMetadata()
        .getLabels().get("pod-template-hash");
    Map<String, String> canaryLabels = Map.of("app", "rollouts-demo", "canary.io/revision", "red1");
    client.resource(new DeploymentBuilder(stable).withNewMetadata().withName("rollouts-demo-canary").withNamespace(NS)
        .endMetadata().editSpec().withReplicas(0).withNewSelector().withMatchLabels(canaryLabels).endSelector()
        .editTemplate().editMetadata().withLabels(canaryLabels).endMetadata().editSpec().editContainer(0)
        .withImage("argoproj/rollouts-demo:red").endContainer().endSpec().endTemplate().endSpec()
        .withStatus(null).build()).create();
    client.resources(DestinationRule.class).inNamespace(NS).withName("rollout-destrule").edit(dr -> {
      dr.getSpec().getSubsets().get(0).getLabels().put("canary.io/revision", "red1");
      dr.getSpec().getSubsets().get(1).getLabels().put("pod-template-hash", stableHash);
      return dr;
    });
    int stableReplicas = stable.getSpec().getReplicas();
    int steps = 0;
    // As a runner does: watch the canary with an informer rather than polling the server.
    try (SharedIndexInformer<Deployment> canaryWatch = client.apps().deployments().inNamespace(NS)
        .withName("rollouts-demo-canary").inform()) {
      for (int weight = 10; weight <= 100; weight += 10) {
        int canary = (int) Math.ceil(stableReplicas * weight / 100.0);
        client.apps().deployments().inNamespace(NS).withName("rollouts-demo-canary").scale(canary);
        sim.advanceUntil("canary available", () -> {
          Deployment d = canaryWatch.getStore().getByKey(NS + "/rollouts-demo-canary");
          return d != null && d.getStatus() != null && d.getStatus().getAvailableReplicas() != null
              && d.getStatus().getAvailableReplicas() >= canary;
        }, Duration.ofMinutes(5));
        int w = weight;
        client.resources(VirtualService.class).inNamespace(NS).withName("rollouts-demo-vs2").edit(vs -> {
          vs.getSpec().getHttp().get(0).getRoute().get(0).setWeight(100 - w);
          vs.getSpec().getHttp().get(0).getRoute().get(1).setWeight(w);
          return vs;
        });
        sim.timeline().mark("setWeight " + weight);
        long t = System.nanoTime();
        sim.advance(pause);
        PAUSE_NANOS[0] += System.nanoTime() - t;
        steps++;
      }
    }
    return steps;
  }

  private static double medianGetMillis(SimulatedCluster sim) {
    double[] t = new double[101];
    for (int i = 0; i < t.length; i++) {
      long s = System.nanoTime();
      sim.client().apps().deployments().inNamespace(NS).withName("rollouts-demo-deployment").get();
      t[i] = (System.nanoTime() - s) / 1e6;
    }
    java.util.Arrays.sort(t);
    return t[t.length / 2];
  }

  private static double ms(long from, long to) {
    return (to - from) / 1e6;
  }
}
