package io.canary.examples.bench;

import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.ImmutableCanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.RolloutStatus;
import io.canary.core.Step;
import io.canary.istio.IstioStrategy;
import io.canary.istio.VirtualServiceRef;
import io.canary.core.WorkloadRef;
import io.canary.hpa.HpaAwareWorkloads;
import io.canary.istio.IstioTrafficRouter;
import io.canary.kubernetes.ConfigMapStateStore;
import io.canary.kubernetes.KubernetesWorkloads;
import io.canary.kubernetes.KubernetesRunnerLeases;
import io.canary.core.time.VirtualScheduler;
import io.canary.testing.ObservedRequest;
import io.canary.testing.SimulatedCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Wall time of a ten-step rollout with hour-long pauses on canary-testing's simulated cluster, with the
 * real adapters (IstioTrafficRouter, HpaAwareWorkloads over KubernetesWorkloads) on the
 * rollouts-demo-subsets scenario (HPA, 25 req/s through the gateway); then again with the status in a
 * ConfigMap and the runner's Lease (ConfigMapStateStore, KubernetesRunnerLeases), which on a virtual
 * clock is renewed when the rollout acts, not every third of the lease.
 *
 * <p>The runner's requests are counted on its own client ({@link RequestCounts}: a client derived from
 * the simulated cluster's, with a counting interceptor) and printed by verb and resource for the last
 * run of each configuration, next to the count the simulated API server observed.
 *
 * <p>Arguments: {@code [warmUpRuns=2] [measuredRuns=5]}. Prints figures; asserts nothing.
 */
public final class SimulationSpeed {
  private static final String NS = "istio-argo-rollouts";

  public static void main(String[] args) {
    int warmUp = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int measured = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    MachineFacts.logToFile("simulation-speed");
    MachineFacts.print("SimulationSpeed: ten setWeight steps (10..100%), each followed by a 1 h pause");
    System.out.printf(Locale.ROOT, "%d warm-up runs, %d measured per configuration; each run: a fresh simulated "
        + "cluster%n", warmUp, measured);
    List<String> rows = new ArrayList<>();
    for (boolean stateInCluster : new boolean[] {false, true}) {
      for (int i = 0; i < warmUp; i++) {
        run(stateInCluster);
      }
      List<Double> setUp = new ArrayList<>();
      List<Double> rollout = new ArrayList<>();
      Run last = null;
      for (int i = 0; i < measured; i++) {
        last = run(stateInCluster);
        setUp.add(last.setUpMillis);
        rollout.add(last.rolloutMillis);
      }
      String config = stateInCluster ? "+ ConfigMapStateStore, KubernetesRunnerLeases" : "status and lock in memory";
      System.out.printf(Locale.ROOT, "%s, last run: %s after %s of virtual time; API requests: %d by the runner (%d "
          + "counted on its client), %d by the simulated controllers%n", config, last.phase, last.virtual,
          last.runnerRequests, last.counted.wholeRun(), last.simulatorRequests);
      System.out.println();
      System.out.print(last.counted.table("runner's API requests, last run (" + config + ")", 1, null));
      System.out.println();
      rows.add(MachineFacts.latencyRow("cluster start, scenario load", setUp));
      rows.add(MachineFacts.latencyRow("rollout to Succeeded; " + config, rollout));
    }
    System.out.println();
    System.out.println(MachineFacts.latencyHeader("wall time per run (ms)"));
    rows.forEach(System.out::println);
  }

  record Run(double setUpMillis, double rolloutMillis, Object phase, Duration virtual, long runnerRequests,
      long simulatorRequests, RequestCounts counted) {}

  static CanarySpec spec() {
    ImmutableCanarySpec.Builder b = CanarySpec.builder()
        .name("rollouts-demo").namespace(NS)
        .target(WorkloadRef.deployment("rollouts-demo-deployment"))
        .revision(NewRevision.image("rollouts-demo", "argoproj/rollouts-demo:red"))
        .traffic(IstioStrategy.subsets("rollouts-demo-svc", "rollout-destrule",
            VirtualServiceRef.of("rollouts-demo-vs2", "route-one")));
    for (int weight = 10; weight <= 100; weight += 10) {
      b.addSteps(Step.setWeight(weight), Step.pause(Duration.ofHours(1)));
    }
    return b.build();
  }

  /**
   * The runner's lease in the cluster: one Lease for the runner ({@link KubernetesRunnerLeases}) on the
   * simulation's clock. The one place that says how the runner holds its rollouts.
   */
  private static void lock(CanaryRunner.Builder builder, KubernetesClient client, VirtualScheduler scheduler) {
    builder.leases(KubernetesRunnerLeases.create(client, NS, scheduler));
  }

  /** One run; {@code stateInCluster}: the status in a ConfigMap and a Lease per rollout, as in production. */
  private static Run run(boolean stateInCluster) {
    long t0 = System.nanoTime();
    try (SimulatedCluster sim = SimulatedCluster.builder().podStartupDelay(Duration.ofSeconds(10)).build()) {
      sim.loadScenario("rollouts-demo-subsets");
      sim.traffic().flow("browsers").throughGateway("istio-system/rollouts-demo-gateway")
          .to(NS, "rollouts-demo.example.com").rate(25);
      long t1 = System.nanoTime();
      Instant virtualStart = sim.scheduler().now();
      RequestCounts counted = new RequestCounts("whole run");
      KubernetesClient client = counted.countedClient(sim.client());
      KubernetesWorkloads k8s = KubernetesWorkloads.create(client);
      HpaAwareWorkloads workloads = HpaAwareWorkloads.wrap(client, k8s);
      CanaryRunner.Builder builder = CanaryRunner.builder()
          .trafficRouter(IstioTrafficRouter.create(client))
          .workloads(workloads)
          .scheduler(sim.scheduler());
      if (stateInCluster) {
        builder.stateStore(ConfigMapStateStore.create(client, NS));
        lock(builder, client, sim.scheduler());
      }
      try (CanaryRunner runner = builder.build()) {
        RolloutStatus done = runner.start(spec()).await(Duration.ofHours(12));
        long t2 = System.nanoTime();
        long bySimulator = sim.requests().stream().filter(ObservedRequest::bySimulator).count();
        return new Run((t1 - t0) / 1e6, (t2 - t1) / 1e6, done.phase(),
            Duration.between(virtualStart, sim.scheduler().now()), sim.requests().size() - bySimulator, bySimulator,
            counted);
      } finally {
        workloads.close();
        k8s.close();
      }
    }
  }
}
