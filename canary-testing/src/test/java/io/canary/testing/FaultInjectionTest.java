package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.testing.FaultInjection.Fault;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FaultInjectionTest {
  private static ConfigMap configMap(String name) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
        .withData(Map.of("k", "v")).build();
  }

  @Test
  void aTooManyRequestsAnswerCarriesItsRetryAfterAndNeverReachesTheApiServer() {
    try (SimulatedCluster sim = SimulatedCluster.builder().build();
        FaultInjection faults = FaultInjection.builder().rate(1).faults(EnumSet.of(Fault.TOO_MANY_REQUESTS)).build()) {
      KubernetesClient client = sim.newClient(faults);
      int before = sim.requests().size();
      assertThatThrownBy(() -> client.configMaps().inNamespace("default").withName("x").get())
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
            assertThat(e.getCode()).isEqualTo(429);
            assertThat(e.getStatus().getDetails().getRetryAfterSeconds()).isEqualTo(1);
          });
      assertThat(sim.requests()).as("requests the API server saw").hasSize(before);
      assertThat(faults.injected().get(Fault.TOO_MANY_REQUESTS)).isEqualTo(1);
    }
  }

  @Test
  void aConflictIsInjectedOnWritesOnly() {
    try (SimulatedCluster sim = SimulatedCluster.builder().build();
        FaultInjection faults = FaultInjection.builder().rate(1).faults(EnumSet.of(Fault.CONFLICT)).build()) {
      KubernetesClient client = sim.newClient(faults);
      assertThat(client.configMaps().inNamespace("default").withName("x").get()).as("a read goes through").isNull();
      assertThatThrownBy(() -> client.configMaps().inNamespace("default").resource(configMap("x")).create())
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
      assertThat(sim.client().configMaps().inNamespace("default").withName("x").get()).as("nothing was created").isNull();
    }
  }

  @Test
  void timeoutsAndResetsFailTheRequestWithoutAnAnswer() {
    for (Fault fault : List.of(Fault.TIMEOUT, Fault.CONNECTION_RESET)) {
      try (SimulatedCluster sim = SimulatedCluster.builder().build();
          FaultInjection faults = FaultInjection.builder().rate(1).faults(EnumSet.of(fault)).build()) {
        KubernetesClient client = sim.newClient(faults);
        assertThatThrownBy(() -> client.configMaps().inNamespace("default").withName("x").get()).as("%s", fault)
            .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isLessThanOrEqualTo(0));
      }
    }
  }

  @Test
  void theSameSeedFailsTheSameRequestsAndTheRateIsKept() {
    List<Boolean> first = failures(7);
    assertThat(failures(7)).isEqualTo(first);
    assertThat(failures(8)).as("another seed").isNotEqualTo(first);
    long failed = first.stream().filter(f -> f).count();
    assertThat(failed).as("of 200 requests at 20 %%").isBetween(20L, 60L);
  }

  private static List<Boolean> failures(long seed) {
    List<Boolean> failed = new ArrayList<>();
    try (SimulatedCluster sim = SimulatedCluster.builder().build();
        FaultInjection faults = FaultInjection.builder().seed(seed).rate(0.2)
            .faults(EnumSet.of(Fault.INTERNAL_ERROR, Fault.UNAVAILABLE)).build()) {
      KubernetesClient client = sim.newClient(faults);
      for (int i = 0; i < 200; i++) {
        try {
          client.configMaps().inNamespace("default").withName("c" + (i % 10)).get();
          failed.add(false);
        } catch (KubernetesClientException e) {
          failed.add(true);
        }
      }
    }
    return failed;
  }
}
