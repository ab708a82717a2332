package io.canary.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutStatus;
import io.canary.core.event.WeightChanged;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.TrafficRouter;
import io.canary.core.time.SystemScheduler;
import io.canary.examples.ScenarioPlans;
import io.canary.gatewayapi.GatewayApiTrafficRouter;
import io.canary.hpa.HpaAwareWorkloads;
import io.canary.istio.IstioTrafficRouter;
import io.canary.kubernetes.ConfigMapStateStore;
import io.canary.kubernetes.ConfigMapTargetClaims;
import io.canary.kubernetes.KubernetesWorkloads;
import io.canary.kubernetes.KubernetesRunnerLeases;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scenarios end to end on a real cluster with Istio (run with -Pcluster and a kubeconfig;
 * skipped without one). Each scenario runs in a namespace of its own for this run
 * ({@link RunNamespaces}: {@code nsa-<run id>}), created with the scenario's objects and deleted
 * afterwards, so that the suite passes again on the same cluster; its plan runs with every pause
 * promoted at once, and after each weight change the weights are read back from the API server.
 */
@Tag("cluster")
class RealClusterScenariosTest {
  /** One id for every scenario of this run: {@code kubectl get namespace -l canary.io/test-run=<id>}. */
  private static final String RUN_ID = RunNamespaces.newRunId();

  static List<String> scenarios() {
    return ScenarioPlans.names();
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void theScenarioRunsToSucceededOnARealCluster(String scenario) throws Exception {
    Optional<Path> kubeconfig = kubeconfig();
    assumeTrue(kubeconfig.isPresent(), "no kubeconfig (-Dkubeconfig=PATH or KUBECONFIG): the real-cluster scenarios are skipped");
    Config config = Config.fromKubeconfig(null, Files.readString(kubeconfig.get()), kubeconfig.get().toString());
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        SystemScheduler scheduler = SystemScheduler.create();
        RunNamespaces run = new RunNamespaces(client, RUN_ID)) {
      CanarySpec spec = run.create(scenario, ScenarioPlans.of(scenario));
      TrafficRouter router = router(client, scenario);
      List<List<RouteWeight>> readBack = new ArrayList<>();
      try (KubernetesWorkloads deployments = KubernetesWorkloads.create(client);
          HpaAwareWorkloads workloads = HpaAwareWorkloads.wrap(client, deployments);
          CanaryRunner runner = CanaryRunner.builder()
          .trafficRouter(router)
          .workloads(workloads)
          .stateStore(ConfigMapStateStore.create(client, spec.namespace()))
          .claims(ConfigMapTargetClaims.create(client, spec.namespace()))
          .leases(KubernetesRunnerLeases.create(client, spec.namespace(), scheduler))
          .scheduler(scheduler)
          .addListener(deployments.eventRecorder())
          .addListener(e -> {
            if (e instanceof WeightChanged) {
              readBack.add(router.currentWeights(spec));
            }
          })
          .build()) {
        RolloutHandle rollout = runner.start(spec);
        RolloutStatus status = rollout.status();
        while (!status.phase().isTerminal()) {
          status = rollout.await(s -> s.phase() == Phase.PAUSED || s.phase().isTerminal(), Duration.ofMinutes(10));
          if (status.phase() == Phase.PAUSED) {
            rollout.promote().get();
          }
        }
        assertThat(status.phase()).as(rollout.describe()).isEqualTo(Phase.SUCCEEDED);
        assertThat(readBack).as("weights read back from the API server after each change").isNotEmpty()
            .allSatisfy(weights -> assertThat(weights).allSatisfy(w -> assertThat(w.stableWeight() + w.canaryWeight()).isEqualTo(100)));
        assertThat(router.currentWeights(spec)).allSatisfy(w -> assertThat(w.canaryWeight())
            .isEqualTo(spec.revision().createsCanaryWorkload() ? 0 : 100));
      } finally {
        if (router instanceof AutoCloseable closeable) {
          closeable.close();
        }
      }
    }
  }

  /**
   * The Gateway API scenario needs the Gateway API CRDs (../shared/gateway-api, or
   * canary-testing/src/main/resources/io/canary/testing/gateway-api) and an implementation that writes
   * route status (Istio's): its weights wait for both parents to accept each generation.
   */
  private static TrafficRouter router(KubernetesClient client, String scenario) {
    if (scenario.equals("appA-gateway-api")) {
      return GatewayApiTrafficRouter.create(client);
    }
    return IstioTrafficRouter.builder(client).addMissingCanaryDestinations(scenario.equals("helloworld-versions")).build();
  }

  private static Optional<Path> kubeconfig() {
    String property = System.getProperty("kubeconfig", "");
    String path = !property.isBlank() ? property : System.getenv().getOrDefault("KUBECONFIG", "");
    return path.isBlank() ? Optional.empty() : Optional.of(Path.of(path)).filter(Files::isRegularFile);
  }
}
