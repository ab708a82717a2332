package io.canary.kubernetes;

import static io.canary.kubernetes.TestCluster.NS;
import static io.canary.kubernetes.TestCluster.TARGET;
import static io.canary.kubernetes.TestCluster.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.spi.CanaryScale;
import io.canary.core.CanarySpec;
import io.canary.core.CanaryValidationException;
import io.canary.core.NewRevision;
import io.canary.core.Problem;
import io.canary.core.Revisions;
import io.canary.core.spi.PodSummary;
import io.canary.core.spi.RevisionState;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false, kubernetesClientBuilderCustomizer = FastFailingClient.class)
class KubernetesWorkloadsTest {
  KubernetesMockServer server;
  KubernetesClient client;

  private TestCluster cluster;
  private KubernetesWorkloads workloads;
  private ReplicaSet stableReplicaSet;

  @BeforeEach
  void setUp() {
    cluster = new TestCluster(client);
    cluster.deployment(TARGET, 5, "shop/web:1.0");
    stableReplicaSet = cluster.rollOut(TARGET, 5);
    workloads = KubernetesWorkloads.create(client);
  }

  @AfterEach
  void tearDown() {
    workloads.close();
  }

  private static CanarySpec newImage() {
    return spec(NewRevision.image("app", "shop/web:2.0"));
  }

  @Test
  void createsTheCanaryFromTheTargetWithTheRevisionLabelAndNoReplicas() {
    Deployment targetBefore = cluster.get(TARGET);

    Revisions revisions = workloads.ensureCanary(newImage());

    String hash = revisions.canary().hash();
    Deployment canary = cluster.get("web-canary");
    assertThat(canary.getSpec().getReplicas()).isZero();
    assertThat(canary.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("shop/web:2.0");
    assertThat(canary.getSpec().getTemplate().getMetadata().getLabels())
        .containsExactlyInAnyOrderEntriesOf(Map.of("app", "web", "canary.io/revision", hash));
    assertThat(canary.getSpec().getSelector().getMatchLabels())
        .containsExactlyInAnyOrderEntriesOf(Map.of("app", "web", "canary.io/revision", hash));
    assertThat(canary.getMetadata().getLabels())
        .containsEntry("canary.io/rollout", "web-release")
        .containsEntry("app.kubernetes.io/managed-by", "canary-sdk")
        .containsEntry("team", "checkout");
    assertThat(canary.getSpec().getMinReadySeconds()).isEqualTo(5);
    assertThat(canary.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(targetBefore.getMetadata().getUid()));

    assertThat(revisions.canary().workload()).isEqualTo("web-canary");
    assertThat(revisions.canary().podLabels()).isEqualTo(Map.of("canary.io/revision", hash));
    String podTemplateHash = stableReplicaSet.getMetadata().getLabels().get("pod-template-hash");
    assertThat(revisions.stable().workload()).isEqualTo(TARGET);
    assertThat(revisions.stable().podLabels()).isEqualTo(Map.of("pod-template-hash", podTemplateHash));

    assertThat(cluster.get(TARGET).getMetadata().getResourceVersion())
        .as("the target Deployment is not written")
        .isEqualTo(targetBefore.getMetadata().getResourceVersion());
  }

  @Test
  void theRevisionHashIsTheSameInAnotherInstanceAndEnsureCanaryFindsItsCanaryAgain() {
    Revisions first = workloads.ensureCanary(newImage());
    String canaryVersion = cluster.get("web-canary").getMetadata().getResourceVersion();

    try (KubernetesWorkloads resumed = KubernetesWorkloads.create(client)) {
      assertThat(resumed.previewRevisions(newImage())).isEqualTo(first);
      assertThat(resumed.ensureCanary(newImage())).isEqualTo(first);
    }

    assertThat(cluster.get("web-canary").getMetadata().getResourceVersion()).isEqualTo(canaryVersion);
    assertThat(first.canary().hash()).matches("[0-9a-f]{10}");
    assertThat(workloads.previewRevisions(spec(NewRevision.image("app", "shop/web:3.0"))).canary().hash())
        .isNotEqualTo(first.canary().hash());
  }

  @Test
  void aWholePodTemplateBecomesTheCanaryTemplate() {
    PodTemplateSpec template = new PodTemplateSpecBuilder()
        .withNewMetadata().addToLabels("app", "web").addToLabels("track", "next").endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("shop/web:next").endContainer().endSpec()
        .build();

    Revisions revisions = workloads.ensureCanary(spec(NewRevision.podTemplate(PodTemplate.of(template))));

    Deployment canary = cluster.get("web-canary");
    assertThat(canary.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("track", "next").containsEntry("canary.io/revision", revisions.canary().hash());
    assertThat(template.getMetadata().getLabels()).as("the user's template is not modified").doesNotContainKey("canary.io/revision");
  }

  @Test
  void refusesADeploymentWithTheCanarysNameThatTheRolloutDidNotCreate() {
    Deployment foreign = cluster.deployment("web-canary", 2, "someone/else:1");

    assertThat(workloads.validate(newImage())).singleElement()
        .satisfies(p -> {
          assertThat(p.where()).isEqualTo("Deployment shop/web-canary");
          assertThat(p.message()).contains("was not created by rollout shop/web-release").contains("existingWorkload");
        });
    assertThatThrownBy(() -> workloads.ensureCanary(newImage()))
        .isInstanceOf(CanaryValidationException.class)
        .hasMessageContaining("Deployment shop/web-canary");

    Deployment after = cluster.get("web-canary");
    assertThat(after.getMetadata().getResourceVersion()).isEqualTo(foreign.getMetadata().getResourceVersion());
    assertThat(after.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("someone/else:1");
  }

  @Test
  void reportsEveryProblemBeforeWritingAnything() {
    CanarySpec wrongContainer = spec(NewRevision.images(Map.of("sidecar", "proxy:2", "app", "shop/web:2.0")));
    assertThat(workloads.validate(wrongContainer)).extracting(Problem::where).containsExactly("revision.images[sidecar]");
    assertThat(workloads.validate(wrongContainer).get(0).message()).contains("its containers are [app]");

    CanarySpec sameImage = spec(NewRevision.image("app", "shop/web:1.0"));
    assertThat(workloads.validate(sameImage)).extracting(Problem::message)
        .singleElement().asString().contains("nothing to release");

    CanarySpec missingTarget = CanarySpec.copyOf(newImage()).withTarget(io.canary.core.WorkloadRef.deployment("nope"));
    assertThat(workloads.validate(missingTarget)).extracting(Problem::where).containsExactly("target");

    CanarySpec statefulSet = CanarySpec.copyOf(newImage()).withTarget(new io.canary.core.WorkloadRef("StatefulSet", TARGET));
    assertThat(workloads.validate(statefulSet)).singleElement().satisfies(p -> {
      assertThat(p.where()).isEqualTo("target.kind");
      assertThat(p.message()).contains("'StatefulSet' is not a kind KubernetesWorkloads releases; use Deployment");
    });

    io.canary.core.RevisionTemplate foreign = () -> "foreign";
    assertThat(workloads.validate(spec(NewRevision.podTemplate(foreign)))).singleElement().satisfies(p -> {
      assertThat(p.where()).isEqualTo("revision.podTemplate");
      assertThat(p.message()).contains("canary-kubernetes takes a PodTemplate.of(podTemplateSpec)");
    });

    PodTemplateSpec unselected = new PodTemplateSpecBuilder()
        .withNewMetadata().addToLabels("app", "other").endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("x").endContainer().endSpec().build();
    assertThat(workloads.validate(spec(NewRevision.podTemplate(PodTemplate.of(unselected))))).extracting(Problem::where)
        .containsExactly("revision.podTemplate.metadata.labels");

    assertThatThrownBy(() -> workloads.ensureCanary(wrongContainer)).isInstanceOf(CanaryValidationException.class);
    assertThat(cluster.get("web-canary")).isNull();
  }

  @Test
  void readinessComesFromTheWatchAndObserveReadsNoApi() throws Exception {
    CanarySpec spec = newImage();
    Revisions revisions = workloads.ensureCanary(spec);
    CountDownLatch twoAvailable = new CountDownLatch(1);
    CountDownLatch twoReadyNotAvailable = new CountDownLatch(1);
    try (AutoCloseable watch = workloads.watch(spec, revisions, () -> {
      RevisionState canary = workloads.observe(spec, revisions).canaryOrAbsent();
      if (canary.ready() == 2 && canary.available() == 0) {
        twoReadyNotAvailable.countDown();
      }
      if (canary.available() == 2) {
        twoAvailable.countDown();
      }
    })) {
      workloads.scaleCanary(spec, revisions, CanaryScale.preScale(2));
      assertThat(cluster.get("web-canary").getSpec().getReplicas()).isEqualTo(2);

      // The controller makes the pods; they are ready but not yet for minReadySeconds.
      ReplicaSet rs = cluster.replicaSet("web-canary", 2);
      cluster.status("web-canary", 2, 2, 2, 0);
      assertThat(twoReadyNotAvailable.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(twoAvailable.getCount()).as("ready pods are not available before minReadySeconds").isEqualTo(1);

      cluster.status("web-canary", 2, 2, 2, 2);
      assertThat(twoAvailable.await(5, TimeUnit.SECONDS)).isTrue();

      int requestsBefore = server.getRequestCount();
      RevisionState canary = workloads.observe(spec, revisions).canary().orElseThrow();
      RevisionState stable = workloads.observe(spec, revisions).stable();
      assertThat(server.getRequestCount()).as("observe is served from the watch caches").isEqualTo(requestsBefore);

      assertThat(canary.hash()).isEqualTo(revisions.canary().hash());
      assertThat(canary.desired()).isEqualTo(2);
      assertThat(canary.pods()).extracting(PodSummary::name)
          .containsExactly(rs.getMetadata().getName() + "-0", rs.getMetadata().getName() + "-1");
      assertThat(canary.pods()).allMatch(PodSummary::ready);
      assertThat(stable.hash()).isEqualTo(revisions.stable().hash());
      assertThat(stable.available()).isEqualTo(5);
      assertThat(stable.pods()).hasSize(5);
      assertThat(stable.autoscaled()).isFalse();
    }
  }

  @Test
  void podChangesWakeTheWatchersOfTheirDeployment() throws Exception {
    CanarySpec spec = newImage();
    Revisions revisions = workloads.ensureCanary(spec);
    CountDownLatch podNotReady = new CountDownLatch(1);
    try (AutoCloseable watch = workloads.watch(spec, revisions, () -> {
      boolean anyNotReady = workloads.observe(spec, revisions).stable().pods().stream().anyMatch(p -> !p.ready());
      if (anyNotReady) {
        podNotReady.countDown();
      }
    })) {
      cluster.pod(stableReplicaSet, "web-extra", false);
      assertThat(podNotReady.await(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void promotionGivesTheStableTheCanaryTemplateAndCleanUpGivesTheUserSettingsBack() throws Exception {
    CanarySpec spec = CanarySpec.copyOf(newImage()).withMaxSurge("1").withMaxUnavailable("0");
    client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder()
        .withNewMetadata().withName("web-config").endMetadata().addToData("k", "v").build()).create();
    Revisions revisions = workloads.ensureCanary(spec);
    workloads.scaleCanary(spec, revisions, CanaryScale.preScale(2));
    workloads.scaleStable(spec, revisions, Optional.of(3));
    assertThat(cluster.get(TARGET).getSpec().getReplicas()).isEqualTo(3);

    CountDownLatch promoted = new CountDownLatch(1);
    try (AutoCloseable watch = workloads.watch(spec, revisions, () -> {
      if (workloads.promotionComplete(spec, revisions)) {
        promoted.countDown();
      }
    })) {
      workloads.promote(spec, revisions);

      Deployment stable = cluster.get(TARGET);
      Deployment canary = cluster.get("web-canary");
      assertThat(stable.getSpec().getTemplate()).isEqualTo(canary.getSpec().getTemplate());
      assertThat(stable.getSpec().getSelector().getMatchLabels()).isEqualTo(Map.of("app", "web"));
      assertThat(stable.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isEqualTo(1);
      assertThat(stable.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
      assertThat(workloads.promotionComplete(spec, revisions)).as("the controller has not rolled it out yet").isFalse();
      assertThat(workloads.validate(spec)).as("a runner resuming the promotion validates the spec again").isEmpty();

      cluster.rollOut(TARGET, 3);
      assertThat(promoted.await(5, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(workloads.observe(spec, revisions).stable().hash()).isEqualTo(revisions.canary().hash());

    workloads.removeCanary(spec, revisions);

    assertThat(cluster.get("web-canary")).isNull();
    Deployment stable = cluster.get(TARGET);
    assertThat(stable.getSpec().getReplicas()).as("the user's replica count is back").isEqualTo(5);
    assertThat(stable.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getStrVal()).isEqualTo("25%");
    assertThat(stable.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getStrVal()).isEqualTo("25%");
    assertThat(stable.getMetadata().getAnnotations())
        .doesNotContainKeys("canary.io/user-replicas", "canary.io/user-strategy");
    assertThat(stable.getMetadata().getLabels()).isEqualTo(Map.of("team", "checkout"));
    assertThat(stable.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("canary.io/revision", revisions.canary().hash());
    assertThat(client.configMaps().inNamespace(NS).withName("web-config").get().getData()).isEqualTo(Map.of("k", "v"));
    assertThat(client.apps().replicaSets().inNamespace(NS).withName(stableReplicaSet.getMetadata().getName()).get())
        .isNotNull();

    workloads.removeCanary(spec, revisions);
    assertThat(cluster.get(TARGET).getMetadata().getResourceVersion())
        .as("removeCanary again changes nothing").isEqualTo(stable.getMetadata().getResourceVersion());
  }

  @Test
  void abortRemovesOnlyTheCanaryAndLeavesTheStableAsItWas() {
    CanarySpec spec = newImage();
    Deployment before = cluster.get(TARGET);
    Revisions revisions = workloads.ensureCanary(spec);
    workloads.scaleCanary(spec, revisions, CanaryScale.preScale(2));

    workloads.removeCanary(spec, revisions);

    assertThat(cluster.get("web-canary")).isNull();
    Deployment after = cluster.get(TARGET);
    assertThat(after.getMetadata().getResourceVersion()).isEqualTo(before.getMetadata().getResourceVersion());
    assertThat(after.getSpec()).isEqualTo(before.getSpec());
  }

  @Test
  void aNewRevisionReplacesTheCanaryOfAnEarlierOne() {
    Revisions first = workloads.ensureCanary(newImage());
    Revisions second = workloads.ensureCanary(spec(NewRevision.image("app", "shop/web:3.0")));

    assertThat(second.canary().hash()).isNotEqualTo(first.canary().hash());
    Deployment canary = cluster.get("web-canary");
    assertThat(canary.getSpec().getSelector().getMatchLabels()).containsEntry("canary.io/revision", second.canary().hash());
    assertThat(canary.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("shop/web:3.0");
  }

  @Test
  void theRolloutsOfANamespaceShareOneSetOfWatchesAndEachIsWokenByItsOwnDeployments() throws Exception {
    cluster.deployment("api", 2, "shop/api:1.0");
    cluster.rollOut("api", 2);
    CanarySpec web = newImage();
    CanarySpec api = CanarySpec.copyOf(spec(NewRevision.image("app", "shop/api:2.0")))
        .withName("api-release").withTarget(io.canary.core.WorkloadRef.deployment("api"));
    int before = server.getRequestCount();
    Revisions webRevisions = workloads.ensureCanary(web);
    Revisions apiRevisions = workloads.ensureCanary(api);
    java.util.concurrent.atomic.AtomicInteger webWakeUps = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.Semaphore apiWoken = new java.util.concurrent.Semaphore(0);

    try (AutoCloseable w1 = workloads.watch(web, webRevisions, webWakeUps::incrementAndGet);
        AutoCloseable w2 = workloads.watch(api, apiRevisions, apiWoken::release)) {
      // The first change of api's canary is a barrier: the Deployment watch hands events over in order, so
      // once it has woken api, the events of web's own canary creation (which may still have been on their
      // way when web's watch was registered) have been handed over too.
      cluster.status("api-canary", 0, 0, 0, 0);
      assertThat(apiWoken.tryAcquire(5, TimeUnit.SECONDS)).isTrue();
      apiWoken.drainPermits();
      webWakeUps.set(0);

      cluster.status("api-canary", 1, 1, 0, 0);
      assertThat(apiWoken.tryAcquire(5, TimeUnit.SECONDS)).isTrue();
      assertThat(webWakeUps.get()).as("a change to another rollout's Deployment does not wake this one").isZero();
    }

    List<String> watches = new ArrayList<>();
    int total = server.getRequestCount();
    for (int i = 0; i < total; i++) {
      var request = server.takeRequest(1, TimeUnit.SECONDS);
      if (i >= before && request != null && request.getPath().contains("watch=true")) {
        watches.add(request.getPath().replaceAll("\\?.*", ""));
      }
    }
    assertThat(watches).containsExactlyInAnyOrder(
        "/apis/apps/v1/namespaces/shop/deployments",
        "/apis/apps/v1/namespaces/shop/replicasets",
        "/api/v1/namespaces/shop/pods",
        "/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers");
  }
}
