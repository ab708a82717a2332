package io.canary.testing;

import static io.canary.testing.CanaryAssertions.assertThat;
import static io.canary.testing.CanaryAssertions.assertThatVirtualService;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.Phase;
import io.canary.core.RolloutStatus;
import io.canary.core.event.PhaseChanged;
import io.canary.core.event.WeightChanged;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

@CanarySimulation
class AssertionsTest {
  private static final String NS = "istio-argo-rollouts";

  private static HasMetadata seedVirtualService(SimulatedCluster sim) {
    List<HasMetadata> loaded = sim.loadScenario("rollouts-demo-subsets");
    return loaded.stream().filter(o -> o.getKind().equals("VirtualService")).findFirst().orElseThrow();
  }

  @Test
  void virtualServiceKeepsWhatTheRouterDoesNotOwn(SimulatedCluster sim, KubernetesClient client) {
    HasMetadata seed = seedVirtualService(sim);
    client.resources(io.fabric8.istio.api.networking.v1alpha3.VirtualService.class).inNamespace(NS)
        .withName("rollouts-demo-vs2").edit(vs -> {
          vs.getSpec().getHttp().get(0).getRoute().get(0).setWeight(60);
          vs.getSpec().getHttp().get(0).getRoute().get(1).setWeight(40);
          return vs;
        });

    assertThatVirtualService(sim, NS, "rollouts-demo-vs2")
        .hasRouteWeights("route-one", 60, 40)
        .hasDestinationWeight("route-one", "rollouts-demo-svc", "canary", 40)
        .hasSameUnownedFieldsAs(seed);

    client.resources(io.fabric8.istio.api.networking.v1alpha3.VirtualService.class).inNamespace(NS)
        .withName("rollouts-demo-vs2").edit(vs -> {
          vs.getSpec().getGateways().clear();
          return vs;
        });
    assertThatThrownBy(() -> assertThatVirtualService(sim, NS, "rollouts-demo-vs2").hasSameUnownedFieldsAs(seed))
        .isInstanceOf(AssertionError.class).hasMessageContaining("rollouts-demo-gateway");
    assertThatThrownBy(() -> assertThatVirtualService(sim, NS, "rollouts-demo-vs2").hasRouteWeights("route-one", 100, 0))
        .isInstanceOf(AssertionError.class).hasMessageContaining("[60, 40]");
  }

  private static RolloutStatus status(Phase phase, int weight, String abortReason) {
    return RolloutStatus.builder().namespace("ns").name("web").phase(phase)
        .step(io.canary.core.StepProgress.builder().currentWeight(weight).build())
        .abortReason(java.util.Optional.ofNullable(abortReason)).lastTransitionTime(Instant.EPOCH).build();
  }

  @Test
  void rolloutStatusAssertionsNamePhaseWeightAndAbortReason() {
    RolloutStatus aborted = status(Phase.ABORTED, 0, "analysis success-rate failed");
    assertThat(aborted).hasPhase(Phase.ABORTED).isTerminal().hasCurrentWeight(0)
        .hasAbortReasonContaining("success-rate");
    assertThatThrownBy(() -> assertThat(aborted).hasPhase(Phase.SUCCEEDED))
        .hasMessageContaining("Succeeded").hasMessageContaining("Aborted");
    assertThatThrownBy(() -> assertThat(status(Phase.PAUSED, 20, null)).hasAbortReasonContaining("x"))
        .hasMessageContaining("none");
  }

  @Test
  void historyTellsTheWeightsARolloutPassedThrough() {
    RolloutHistory history = new RolloutHistory();
    Instant t = Instant.EPOCH;
    history.onEvent(new WeightChanged(status(Phase.PROGRESSING, 20, null), t, 0, 20));
    history.onEvent(new PhaseChanged(status(Phase.PAUSED, 20, null), t, Phase.PROGRESSING, Phase.PAUSED, "pause step"));
    history.onEvent(new WeightChanged(status(Phase.PROGRESSING, 50, null), t, 20, 50));
    history.onEvent(new WeightChanged(status(Phase.SUCCEEDED, 100, null), t, 50, 100));

    assertThat(history).passedThroughWeights(20, 50, 100)
        .passedThroughPhases(Phase.PROGRESSING, Phase.PAUSED, Phase.SUCCEEDED)
        .lastStatus().hasPhase(Phase.SUCCEEDED);
    assertThatThrownBy(() -> assertThat(history).passedThroughWeights(20, 40, 100))
        .hasMessageContaining("[20, 50, 100]");
  }
}
