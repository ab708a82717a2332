package io.canary.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.CanaryException;
import io.canary.core.AnalysisCounters;
import io.canary.core.Condition;
import io.canary.core.StableScaling;
import io.canary.core.StepProgress;
import io.canary.core.Timers;
import io.canary.core.ConflictException;
import io.canary.core.PauseReason;
import io.canary.core.Phase;
import io.canary.core.Revision;
import io.canary.core.RolloutKey;
import io.canary.core.RolloutStatus;
import io.canary.core.Stage;
import io.canary.core.spi.Versioned;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false, kubernetesClientBuilderCustomizer = FastFailingClient.class)
class ConfigMapStateStoreTest {
  private static final RolloutKey KEY = RolloutKey.of("shop", "web-release");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  KubernetesClient client;

  /** Every field set, none to its default, so a field the codec forgot shows up as a difference. */
  static RolloutStatus fullyPopulated() {
    return RolloutStatus.builder()
        .namespace("shop")
        .name("web-release")
        .owner(new io.canary.core.RolloutOwner("runner-a", 1764547200000L))
        .phase(Phase.PAUSED)
        .stage(Stage.SCALE_DOWN_DELAY)
        .step(StepProgress.builder().index(3).count(8).currentWeight(40).desiredWeight(60).canaryReplicasRequested(3).build())
        .stableRevision(new Revision("web", "5d8f7c9b6", Map.of("pod-template-hash", "5d8f7c9b6")))
        .canaryRevision(new Revision("web-canary", "25ab2fc959", Map.of("canary.io/revision", "25ab2fc959", "x", "y")))
        .pauseReason(PauseReason.InconclusiveAnalysis)
        .gate(io.canary.core.GateProgress.builder().point(io.canary.core.analysis.LifecyclePoint.CONFIRM_PROMOTION)
            .stepIndex(8).passed(false).nextAskAt(T0.plusSeconds(30)).message("change-ticket INCONCLUSIVE").build())
        .lastAnalysis(io.canary.core.AnalysisRecord.builder().name("judge").where("step 4/8")
            .verdict(io.canary.core.spi.Verdict.FAIL).message("error-share FAIL").time(T0.plusSeconds(9))
            .addChecks(new io.canary.core.spi.Check("error-share", "rate(istio_requests_total[1m])", 0.0155, Double.NaN,
                ">= 0.99", io.canary.core.spi.Verdict.FAIL, "31 of 120 failed"))
            .build())
        .timers(Timers.builder().pauseUntil(T0.plusSeconds(10)).stepStartedAt(T0.plusSeconds(1))
            .waitingSince(T0.plusSeconds(2)).dueAt(T0.plusSeconds(3)).build())
        .stableScaling(StableScaling.builder().referenceReplicas(5).replicas(2).scaleDownAt(T0.plusSeconds(4)).build())
        .stepAnalysis(AnalysisCounters.builder().passes(5).failures(6).inconclusive(7).nextAt(T0.plusSeconds(5)).build())
        .backgroundAnalysis(AnalysisCounters.builder().failures(8).inconclusive(9).nextAt(T0.plusMillis(6_123)).build())
        .abortReason("success rate 0.91 < 0.99")
        .message("Paused: analysis inconclusive")
        .addConditions(new Condition(Condition.PAUSED, true, "InconclusiveAnalysis", "a person decides", T0.plusSeconds(7)))
        .addConditions(new Condition(Condition.PROGRESSING, false, "Paused", "waiting", T0.plusSeconds(8)))
        .attempt(2)
        .specFingerprint("sha256:abc")
        .lastTransitionTime(T0.plusNanos(123_456_789))
        .build();
  }

  @Test
  void theFixtureSetsEveryFieldOfRolloutStatus() throws Exception {
    RolloutStatus defaults = RolloutStatus.builder().namespace("n").name("m").phase(Phase.PENDING)
        .lastTransitionTime(T0).build();
    RolloutStatus full = fullyPopulated();
    for (Method m : RolloutStatus.class.getDeclaredMethods()) {
      if (m.getParameterCount() > 0 || Modifier.isStatic(m.getModifiers()) || !Modifier.isPublic(m.getModifiers())
          || m.getName().equals("key") || m.getName().equals("toString")) {
        continue;
      }
      Object value = m.invoke(full);
      assertThat(value).as("RolloutStatus.%s must be set in fullyPopulated()", m.getName())
          .isNotNull()
          .isNotEqualTo(Optional.empty())
          .isNotEqualTo(m.invoke(defaults));
      if (value instanceof Collection<?> c) {
        assertThat(c).as(m.getName()).isNotEmpty();
      }
    }
  }

  @Test
  void aFullyPopulatedStatusSurvivesTheRoundTrip() {
    ConfigMapStateStore store = ConfigMapStateStore.clusterWide(client);
    RolloutStatus status = fullyPopulated();

    String version = store.compareAndSet(KEY, Optional.empty(), status);
    Versioned<RolloutStatus> loaded = store.load(KEY).orElseThrow();

    assertThat(loaded.value()).isEqualTo(status);
    assertThat(loaded.version()).isEqualTo(version);
    assertThat(client.configMaps().inNamespace("shop").withName("canary-rollout-web-release").get().getData())
        .containsKey("status.json");
  }

  @Test
  void compareAndSetRefusesAStaleVersion() {
    ConfigMapStateStore store = ConfigMapStateStore.clusterWide(client);
    RolloutStatus status = fullyPopulated();
    String v1 = store.compareAndSet(KEY, Optional.empty(), status);
    String v2 = store.compareAndSet(KEY, Optional.of(v1), RolloutStatus.copyOf(status).withStep(StepProgress.builder().from(status.step()).index(4).build()));

    assertThatThrownBy(() -> store.compareAndSet(KEY, Optional.of(v1), RolloutStatus.copyOf(status).withStep(StepProgress.builder().from(status.step()).index(5).build())))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("shop/web-release");
    assertThatThrownBy(() -> store.compareAndSet(KEY, Optional.empty(), status))
        .as("a second first save loses too")
        .isInstanceOf(ConflictException.class);

    Versioned<RolloutStatus> stored = store.load(KEY).orElseThrow();
    assertThat(stored.version()).isEqualTo(v2);
    assertThat(stored.value().stepIndex()).isEqualTo(4);
  }

  @Test
  void listFindsEveryStoredRolloutAndDeleteForgetsOne() {
    ConfigMapStateStore store = ConfigMapStateStore.clusterWide(client);
    RolloutKey other = RolloutKey.of("payments", "api");
    store.compareAndSet(KEY, Optional.empty(), fullyPopulated());
    store.compareAndSet(other, Optional.empty(),
        RolloutStatus.builder().namespace("payments").name("api").phase(Phase.PROGRESSING).lastTransitionTime(T0).build());
    client.configMaps().inNamespace("shop").resource(new ConfigMapBuilder()
        .withNewMetadata().withName("unrelated").endMetadata().addToData("a", "b").build()).create();

    assertThat(store.list()).containsExactly(other, KEY);
    assertThat(ConfigMapStateStore.create(client, "shop").list()).containsExactly(KEY);

    store.delete(KEY);
    assertThat(store.load(KEY)).isEmpty();
    assertThat(store.list()).containsExactly(other);
    assertThat(client.configMaps().inNamespace("shop").withName("unrelated").get()).isNotNull();
  }

  @Test
  void aConfigMapTheStoreDidNotWriteIsNeitherReadNorDeleted() {
    client.configMaps().inNamespace("shop").resource(new ConfigMapBuilder()
        .withNewMetadata().withName("canary-rollout-web-release").endMetadata().addToData("a", "b").build()).create();
    ConfigMapStateStore store = ConfigMapStateStore.clusterWide(client);

    assertThatThrownBy(() -> store.load(KEY)).isInstanceOf(CanaryException.class)
        .hasMessageContaining("ConfigMap shop/canary-rollout-web-release").hasMessageContaining("not written by");
    assertThatThrownBy(() -> store.delete(KEY)).isInstanceOf(CanaryException.class);
    assertThat(client.configMaps().inNamespace("shop").withName("canary-rollout-web-release").get().getData())
        .isEqualTo(Map.of("a", "b"));
  }
  private static RolloutStatus ended(String rollout, Phase phase, String target, int minute) {
    return RolloutStatus.builder().namespace("shop").name(rollout).phase(phase)
        .stableRevision(new Revision(target, "h" + minute, Map.of("pod-template-hash", "h" + minute)))
        .lastTransitionTime(T0.plusSeconds(60L * minute)).build();
  }

  private java.util.List<String> statusConfigMaps() {
    return client.configMaps().inNamespace("shop").withLabel(CanaryLabels.ROLLOUT_STATE, "true").list().getItems().stream()
        .map(cm -> cm.getMetadata().getName()).sorted().toList();
  }

  @Test
  void whenARolloutEndsTheStatusesOfOlderEndedRolloutsOfItsTargetBeyondTheLastNAreDeleted() {
    ConfigMapStateStore store = ConfigMapStateStore.create(client, "shop").keepingEnded(3);
    store.compareAndSet(RolloutKey.of("shop", "web-1"), Optional.empty(), ended("web-1", Phase.SUCCEEDED, "web", 1));
    store.compareAndSet(RolloutKey.of("shop", "web-2"), Optional.empty(), ended("web-2", Phase.ABORTED, "web", 2));
    store.compareAndSet(RolloutKey.of("shop", "web-3"), Optional.empty(), ended("web-3", Phase.FAILED, "web", 3));
    store.compareAndSet(RolloutKey.of("shop", "api-1"), Optional.empty(), ended("api-1", Phase.SUCCEEDED, "api", 0));
    RolloutStatus underWay = RolloutStatus.copyOf(ended("web-0", Phase.PAUSED, "web", 0));
    store.compareAndSet(RolloutKey.of("shop", "web-0"), Optional.empty(), underWay);
    assertThat(statusConfigMaps()).as("three ended rollouts of web: none beyond the last 3").hasSize(5);

    // web-4 starts (not ended: nothing is deleted), then ends.
    String v = store.compareAndSet(RolloutKey.of("shop", "web-4"), Optional.empty(), ended("web-4", Phase.PROGRESSING, "web", 4));
    assertThat(statusConfigMaps()).hasSize(6);
    store.compareAndSet(RolloutKey.of("shop", "web-4"), Optional.of(v), ended("web-4", Phase.SUCCEEDED, "web", 5));

    assertThat(statusConfigMaps()).containsExactly("canary-rollout-api-1", "canary-rollout-web-0", "canary-rollout-web-2",
        "canary-rollout-web-3", "canary-rollout-web-4");
    assertThat(store.load(RolloutKey.of("shop", "web-1"))).as("the oldest ended rollout of web is forgotten").isEmpty();
    assertThat(store.load(RolloutKey.of("shop", "web-0")).orElseThrow().value().phase())
        .as("a rollout under way is never deleted, however old").isEqualTo(Phase.PAUSED);
    assertThat(store.list()).doesNotContain(RolloutKey.of("shop", "web-1")).hasSize(5);
    assertThat(client.configMaps().inNamespace("shop").withName("canary-rollout-web-4").get().getMetadata().getLabels())
        .containsEntry(CanaryLabels.ENDED_TARGET, "web");
    assertThat(client.configMaps().inNamespace("shop").withName("canary-rollout-web-0").get().getMetadata().getLabels())
        .doesNotContainKey(CanaryLabels.ENDED_TARGET);
  }

  @Test
  void aTargetWhoseNameIsNoLabelValueIsStillKeptToTheRule() {
    ConfigMapStateStore store = ConfigMapStateStore.create(client, "shop").keepingEnded(1);
    String longName = "w".repeat(70);
    store.compareAndSet(RolloutKey.of("shop", "a"), Optional.empty(), ended("a", Phase.SUCCEEDED, longName, 1));
    store.compareAndSet(RolloutKey.of("shop", "b"), Optional.empty(), ended("b", Phase.SUCCEEDED, "web", 2));
    store.compareAndSet(RolloutKey.of("shop", "c"), Optional.empty(), ended("c", Phase.SUCCEEDED, longName, 3));

    assertThat(statusConfigMaps()).containsExactly("canary-rollout-b", "canary-rollout-c");
  }

  @Test
  void tenEndedRolloutsPerTargetAreKeptByDefaultAndAStatusWithoutRevisionsIsNeverCountedOrDeleted() {
    ConfigMapStateStore store = ConfigMapStateStore.create(client, "shop");
    assertThat(store.endedKeptPerTarget()).isEqualTo(ConfigMapStateStore.DEFAULT_ENDED_KEPT_PER_TARGET).isEqualTo(10);
    store.compareAndSet(RolloutKey.of("shop", "early-failure"), Optional.empty(), RolloutStatus.builder().namespace("shop")
        .name("early-failure").phase(Phase.FAILED).lastTransitionTime(T0).build());
    for (int i = 1; i <= 12; i++) {
      store.compareAndSet(RolloutKey.of("shop", "web-" + i), Optional.empty(), ended("web-" + i, Phase.SUCCEEDED, "web", i));
    }

    assertThat(statusConfigMaps()).hasSize(11).contains("canary-rollout-early-failure", "canary-rollout-web-3",
        "canary-rollout-web-12").doesNotContain("canary-rollout-web-1", "canary-rollout-web-2");
    assertThat(store.keepingEnded(Integer.MAX_VALUE).endedKeptPerTarget()).isEqualTo(Integer.MAX_VALUE);
  }

  /** A client of the same server whose requests are noted as "METHOD path" (the query dropped). */
  private KubernetesClient recording(java.util.List<String> requests) {
    Interceptor record = new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        requests.add(request.method() + " " + request.uri().getPath());
      }
    };
    return new KubernetesClientBuilder().withConfig(client.getConfiguration())
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("record", record)).build();
  }

  @Test
  void aSaveIsOneWriteWithTheVersionItLastWroteAndReadsNothingBeforeIt() {
    java.util.List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (KubernetesClient recorded = recording(requests)) {
      ConfigMapStateStore store = ConfigMapStateStore.create(recorded, "shop");
      String path = "/api/v1/namespaces/shop/configmaps";
      String v1 = store.compareAndSet(KEY, Optional.empty(), ended("web-release", Phase.PROGRESSING, "web", 1));
      String v2 = store.compareAndSet(KEY, Optional.of(v1), ended("web-release", Phase.PAUSED, "web", 2));
      store.compareAndSet(KEY, Optional.of(v2), ended("web-release", Phase.PROGRESSING, "web", 3));

      assertThat(requests).as("a create, then one PUT per save; no GET before a write")
          .containsExactly("POST " + path, "PUT " + path + "/canary-rollout-web-release", "PUT " + path + "/canary-rollout-web-release");
      assertThatThrownBy(() -> store.compareAndSet(KEY, Optional.of(v2), ended("web-release", Phase.PAUSED, "web", 4)))
          .as("a stale version is answered by the server (409), not found by a read first").isInstanceOf(ConflictException.class);
      assertThat(requests).hasSize(4).last().isEqualTo("PUT " + path + "/canary-rollout-web-release");
    }
  }

  @Test
  void theCleanUpListsTheNamespaceOnceThenOnlyWhenATargetsEndedStatusesMayPassTheLimit() {
    java.util.List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
    // Ended before this store was made: another runner's, which the first clean-up's count must find.
    ConfigMapStateStore earlier = ConfigMapStateStore.create(client, "shop").keepingEnded(3);
    earlier.compareAndSet(RolloutKey.of("shop", "web-1"), Optional.empty(), ended("web-1", Phase.SUCCEEDED, "web", 1));
    earlier.compareAndSet(RolloutKey.of("shop", "web-2"), Optional.empty(), ended("web-2", Phase.ABORTED, "web", 2));
    try (KubernetesClient recorded = recording(requests)) {
      ConfigMapStateStore store = ConfigMapStateStore.create(recorded, "shop").keepingEnded(3);
      java.util.function.Supplier<Long> lists = () -> requests.stream().filter(r -> r.equals("GET /api/v1/namespaces/shop/configmaps")).count();

      store.compareAndSet(RolloutKey.of("shop", "api-1"), Optional.empty(), ended("api-1", Phase.SUCCEEDED, "api", 3));
      assertThat(lists.get()).as("the namespace's ended statuses listed once, to count them").isEqualTo(1);
      store.compareAndSet(RolloutKey.of("shop", "api-2"), Optional.empty(), ended("api-2", Phase.SUCCEEDED, "api", 4));
      store.compareAndSet(RolloutKey.of("shop", "web-3"), Optional.empty(), ended("web-3", Phase.SUCCEEDED, "web", 5));
      String started = store.compareAndSet(RolloutKey.of("shop", "web-2"), Optional.of(
          store.load(RolloutKey.of("shop", "web-2")).orElseThrow().version()), ended("web-2", Phase.PROGRESSING, "web", 6));
      store.compareAndSet(RolloutKey.of("shop", "web-2"), Optional.of(started), ended("web-2", Phase.SUCCEEDED, "web", 7));
      assertThat(lists.get()).as("api 2 and web 3 ended statuses (web-2 started again and ended again): within the limit of 3")
          .isEqualTo(1);
      assertThat(statusConfigMaps()).hasSize(5);

      store.compareAndSet(RolloutKey.of("shop", "web-4"), Optional.empty(), ended("web-4", Phase.SUCCEEDED, "web", 8));
      assertThat(lists.get()).as("a fourth ended status of web: the target is listed and trimmed").isEqualTo(2);
      assertThat(statusConfigMaps()).containsExactly("canary-rollout-api-1", "canary-rollout-api-2", "canary-rollout-web-2",
          "canary-rollout-web-3", "canary-rollout-web-4");

      store.delete(RolloutKey.of("shop", "web-3"));
      store.compareAndSet(RolloutKey.of("shop", "web-5"), Optional.empty(), ended("web-5", Phase.SUCCEEDED, "web", 9));
      assertThat(lists.get()).as("web-3 deleted: web is at 3 again").isEqualTo(2);
      assertThat(statusConfigMaps()).hasSize(5).contains("canary-rollout-web-2", "canary-rollout-web-5");
    }
  }

  @Test
  void aCleanUpTheApiServerRefusesIsLoggedAndTheSaveStands() {
    // Every list of ConfigMaps fails (sent to an object that does not exist: 404), as a missing list verb would (403).
    Interceptor refuseLists = new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        if (request.method().equals("GET") && request.uri().getPath().endsWith("/configmaps")) {
          builder.uri(request.uri().resolve("/api/v1/namespaces/shop/configmaps/no-such-configmap"));
        }
      }
    };
    try (KubernetesClient refusing = new KubernetesClientBuilder().withConfig(client.getConfiguration())
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("refuse-lists", refuseLists)).build()) {
      ConfigMapStateStore store = ConfigMapStateStore.create(refusing, "shop").keepingEnded(1);
      store.compareAndSet(RolloutKey.of("shop", "web-1"), Optional.empty(), ended("web-1", Phase.SUCCEEDED, "web", 1));
      String version = store.compareAndSet(RolloutKey.of("shop", "web-2"), Optional.empty(),
          ended("web-2", Phase.SUCCEEDED, "web", 2));

      assertThat(version).isNotEmpty();
      assertThat(store.load(RolloutKey.of("shop", "web-2")).orElseThrow().version()).isEqualTo(version);
      assertThat(statusConfigMaps()).as("nothing deleted: the clean-up could not list").hasSize(2);
    }
  }

  @Test
  void aStoreKeepsAtLeastTheRolloutThatEndedAndNamesItsNamespacesUnlessAskedForClusterScope() {
    assertThatThrownBy(() -> ConfigMapStateStore.create(client, "shop").keepingEnded(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ConfigMapStateStore.keepingEnded: keep at least 1 ended rollout per target (the one that just ended), was 0");
    assertThatThrownBy(() -> ConfigMapStateStore.create(client))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clusterWide(client)");
    assertThatThrownBy(() -> ConfigMapStateStore.create(client, "shop", " "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a namespace is empty");
  }
}
