package io.canary.kubernetes;

import static io.canary.kubernetes.TestCluster.NS;
import static io.canary.kubernetes.TestCluster.TARGET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.canary.core.NewRevision;
import io.canary.core.Phase;
import io.canary.core.Revision;
import io.canary.core.RolloutStatus;
import io.canary.core.Step;
import io.canary.core.event.RolloutAborted;
import io.canary.core.event.StepStarted;
import io.canary.core.event.WeightChanged;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false, kubernetesClientBuilderCustomizer = FastFailingClient.class)
class KubernetesEventRecorderTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  KubernetesClient client;

  private static RolloutStatus status(int stepIndex, int weight) {
    return RolloutStatus.builder().namespace(NS).name("web-release").phase(Phase.PROGRESSING)
        .step(io.canary.core.StepProgress.builder().index(stepIndex).count(4).currentWeight(weight).build())
        .lastTransitionTime(T0).build();
  }

  private List<Event> events() {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .sorted(Comparator.comparing(Event::getFirstTimestamp).thenComparing(Event::getReason)).toList();
  }

  @Test
  void everyTransitionBecomesAnEventOnTheTargetDeployment() {
    String uid = new TestCluster(client).deployment(TARGET, 2, "shop/web:1.0").getMetadata().getUid();
    try (KubernetesWorkloads workloads = KubernetesWorkloads.create(client)) {
      workloads.validate(TestCluster.spec(NewRevision.image("app", "shop/web:2.0")));
      KubernetesEventRecorder recorder = workloads.eventRecorder();

      recorder.onEvent(new StepStarted(status(1, 0), T0, 1, Step.setWeight(20)));
      recorder.onEvent(new WeightChanged(status(1, 20), T0.plusSeconds(1), 0, 20));
      recorder.onEvent(new RolloutAborted(status(1, 0), T0.plusSeconds(2), "success rate 0.90 < 0.99", false));
    }

    List<Event> events = events();
    assertThat(events).extracting(Event::getReason).containsExactly("StepStarted", "WeightChanged", "RolloutAborted");
    assertThat(events).extracting(Event::getType).containsExactly("Normal", "Normal", "Warning");
    assertThat(events).allSatisfy(e -> {
      assertThat(e.getInvolvedObject().getKind()).isEqualTo("Deployment");
      assertThat(e.getInvolvedObject().getName()).isEqualTo(TARGET);
      assertThat(e.getInvolvedObject().getUid()).as("kubectl describe matches on the uid").isEqualTo(uid);
      assertThat(e.getSource().getComponent()).isEqualTo("canary-runner");
    });
    assertThat(events.get(1).getMessage()).isEqualTo("[step 2/4, canary 20%, stable 80%] Canary weight 0 -> 20 (stable 80)");
    assertThat(events.get(2).getMessage()).contains("success rate 0.90 < 0.99");
    assertThat(events.get(1).getLastTimestamp()).isEqualTo("2026-01-01T00:00:01Z");
  }

  @Test
  void aRepeatedEventRaisesTheCountOfTheOneRecorded() {
    new TestCluster(client).deployment(TARGET, 2, "shop/web:1.0");
    KubernetesEventRecorder recorder = KubernetesEventRecorder.builder(client).targets(k -> java.util.Optional.of(TARGET)).build();

    recorder.onEvent(new WeightChanged(status(1, 20), T0, 0, 20));
    recorder.onEvent(new WeightChanged(status(1, 20), T0.plusSeconds(30), 0, 20));

    assertThat(events()).singleElement().satisfies(e -> {
      assertThat(e.getCount()).isEqualTo(2);
      assertThat(e.getLastTimestamp()).isEqualTo("2026-01-01T00:00:30Z");
    });
  }

  @Test
  void withoutATargetResolverTheStableRevisionsWorkloadIsUsed() {
    new TestCluster(client).deployment(TARGET, 2, "shop/web:1.0");
    RolloutStatus withRevision = RolloutStatus.copyOf(status(0, 0))
        .withStableRevision(new Revision(TARGET, "abc", Map.of()));

    KubernetesEventRecorder.create(client).onEvent(new WeightChanged(withRevision, T0, 0, 0));

    assertThat(events()).singleElement().satisfies(e -> assertThat(e.getInvolvedObject().getName()).isEqualTo(TARGET));
  }

  @Test
  void aFailedWriteNeverReachesTheRunner() {
    try (KubernetesClient unreachable = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
        .withMasterUrl("http://127.0.0.1:1").withRequestRetryBackoffLimit(0).withRequestTimeout(1_000).build()).build()) {
      KubernetesEventRecorder recorder = KubernetesEventRecorder.builder(unreachable)
          .targets(k -> java.util.Optional.of(TARGET)).build();
      assertThatCode(() -> recorder.onEvent(new WeightChanged(status(1, 20), T0, 0, 20))).doesNotThrowAnyException();
    }
  }
}
