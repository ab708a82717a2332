package io.canary.cli.internal;

import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.spi.RolloutListener;
import io.canary.core.spi.TrafficRouter;
import io.canary.gatewayapi.GatewayApiStrategy;
import io.canary.gatewayapi.GatewayApiTrafficRouter;
import io.canary.hpa.HpaAwareWorkloads;
import io.canary.istio.IstioTrafficRouter;
import io.canary.kubernetes.ConfigMapStateStore;
import io.canary.kubernetes.KubernetesEventRecorder;
import io.canary.kubernetes.KubernetesWorkloads;
import io.canary.kubernetes.KubernetesRunnerLeases;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.management.ManagementFactory;

/**
 * The runner of one command, composed as the README composes a host program: the router the spec's
 * strategy needs, canary-kubernetes' workloads behind canary-hpa's, the status in a ConfigMap and a
 * Lease per rollout (so that two processes never drive one rollout), Kubernetes Events. Closed in
 * reverse order: the runner gives its leases back, then the watches close.
 */
public final class Session implements AutoCloseable {
  private final KubernetesWorkloads kubernetes;
  private final HpaAwareWorkloads workloads;
  private final AutoCloseable router;
  private final CanaryRunner runner;
  private final ConfigMapStateStore store;

  public Session(Connection connection, CanarySpec spec, CliArgs args, RolloutListener listener) {
    KubernetesClient client = connection.client();
    this.kubernetes = KubernetesWorkloads.create(client);
    this.workloads = HpaAwareWorkloads.wrap(client, kubernetes);
    TrafficRouter traffic = spec.traffic() instanceof GatewayApiStrategy
        ? GatewayApiTrafficRouter.create(client)
        : IstioTrafficRouter.builder(client).addMissingCanaryDestinations(args.addMissingCanaryDestinations()).build();
    this.router = (AutoCloseable) traffic;
    this.store = ConfigMapStateStore.create(client, spec.namespace());
    CanaryRunner.Builder b = CanaryRunner.builder()
        .trafficRouter(traffic)
        .workloads(workloads)
        .stateStore(store)
        .identity("canary-cli@" + ManagementFactory.getRuntimeMXBean().getName())
        .addListener(listener)
        .addListener(KubernetesEventRecorder.create(client));
    connection.scheduler().ifPresent(s -> {
      b.scheduler(s);
      b.leases(KubernetesRunnerLeases.create(client, spec.namespace(), s));
    });
    if (connection.scheduler().isEmpty()) {
      b.leases(KubernetesRunnerLeases.create(client, spec.namespace()));
    }
    this.runner = b.build();
  }

  public CanaryRunner runner() {
    return runner;
  }

  public ConfigMapStateStore store() {
    return store;
  }

  @Override
  public void close() {
    runner.close();
    try {
      router.close();
    } catch (Exception e) {
      // closing a watch that is already gone changes nothing in the cluster
    }
    workloads.close();
    kubernetes.close();
  }
}
