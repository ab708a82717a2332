package io.canary.examples.scenarios;

import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.RolloutHandle;
import io.canary.core.spi.RetryPolicy;
import io.canary.core.spi.TrafficRouter;
import io.canary.hpa.HpaAwareWorkloads;
import io.canary.istio.IstioTrafficRouter;
import io.canary.kubernetes.ConfigMapStateStore;
import io.canary.kubernetes.ConfigMapTargetClaims;
import io.canary.kubernetes.KubernetesWorkloads;
import io.canary.kubernetes.KubernetesRunnerLeases;
import io.canary.testing.RolloutHistory;
import io.canary.testing.SimulatedCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.function.Function;

/**
 * A {@link CanaryRunner} composed as a host program would compose it (canary-istio, canary-kubernetes
 * and canary-hpa over one client, the state and the lock in the cluster), on a simulated cluster's
 * virtual clock, with the simulation's timeline and a {@link RolloutHistory} listening.
 */
final class RunnerOnSimulation implements AutoCloseable {
  final SimulatedCluster sim;
  final KubernetesClient client;
  final KubernetesWorkloads kubernetes;
  final HpaAwareWorkloads workloads;
  final TrafficRouter router;
  final CanaryRunner runner;
  final RolloutHistory history = new RolloutHistory();

  private RunnerOnSimulation(SimulatedCluster sim, KubernetesClient client, String namespace,
      Function<KubernetesClient, TrafficRouter> routerOf, RetryPolicy retryPolicy) {
    this.sim = sim;
    this.client = client;
    this.kubernetes = KubernetesWorkloads.create(client);
    this.workloads = HpaAwareWorkloads.wrap(client, kubernetes);
    this.router = routerOf.apply(client);
    this.runner = CanaryRunner.builder()
        .trafficRouter(this.router)
        .workloads(workloads)
        .stateStore(ConfigMapStateStore.create(client, namespace))
        .leases(KubernetesRunnerLeases.create(client, namespace, sim.scheduler()))
        .claims(ConfigMapTargetClaims.create(client, namespace))
        .scheduler(sim.scheduler())
        .addListener(history)
        .addListener(sim.timeline())
        .addListener(kubernetes.eventRecorder())
        .retryPolicy(retryPolicy)
        .build();
  }

  /** A runner on the simulation's own client with the default Istio router. */
  static RunnerOnSimulation on(SimulatedCluster sim, String namespace) {
    return new RunnerOnSimulation(sim, sim.client(), namespace, IstioTrafficRouter::create, RetryPolicy.defaults());
  }

  /**
   * A runner with the router {@code router} makes, on {@code client} (for example another process's,
   * {@link SimulatedCluster#newClient()}).
   */
  static RunnerOnSimulation on(SimulatedCluster sim, KubernetesClient client, String namespace,
      Function<KubernetesClient, TrafficRouter> router) {
    return new RunnerOnSimulation(sim, client, namespace, router, RetryPolicy.defaults());
  }

  /** As above, with its own retry policy (a seeded one, for a repeatable run). */
  static RunnerOnSimulation on(SimulatedCluster sim, KubernetesClient client, String namespace,
      Function<KubernetesClient, TrafficRouter> router, RetryPolicy retryPolicy) {
    return new RunnerOnSimulation(sim, client, namespace, router, retryPolicy);
  }

  RolloutHandle start(CanarySpec spec) {
    return runner.start(spec);
  }

  /** Stops driving (nothing changes in the cluster) and closes the watches: the runner first, then the adapters. */
  @Override
  public void close() {
    runner.close();
    if (router instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing the router failed", e);
      }
    }
    workloads.close();
    kubernetes.close();
  }
}
