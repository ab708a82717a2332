package io.canary.kubernetes;

import io.canary.testing.HeldWatchServer;
import static io.canary.kubernetes.TestCluster.NS;
import static io.canary.kubernetes.TestCluster.TARGET;
import static io.canary.kubernetes.TestCluster.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Revisions;
import io.canary.core.spi.CanaryScale;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * KubernetesWorkloads reads from its namespace caches and writes only what changes something: no
 * read of the API server per call once the caches hold the namespace, no write when the scale asked
 * for is in force, a write over a stale copy read again on its conflict, and its own writes read at
 * once even while the informers have not seen them (the server's watch events held back).
 */
class CachedReadsAndWritesTest {
  private HeldWatchServer server;
  private TestCluster cluster;
  private KubernetesWorkloads workloads;
  private final CanarySpec spec = spec(NewRevision.image("app", "shop/web:2.0"));

  @BeforeEach
  void setUp() {
    server = new HeldWatchServer();
    cluster = new TestCluster(server.client());
    cluster.deployment(TARGET, 5, "shop/web:1.0");
    cluster.rollOut(TARGET, 5);
    workloads = KubernetesWorkloads.create(server.client());
  }

  @AfterEach
  void tearDown() {
    server.release();
    workloads.close();
    server.close();
  }

  @Test
  void theCallsOfARolloutReadNothingFromTheApiServerOnceTheCachesHoldTheNamespace() {
    workloads.validate(spec); // the first use of the namespace fills its caches
    int from = server.requests().size();

    Revisions revisions = workloads.ensureCanary(spec);
    workloads.scaleCanary(spec, revisions, CanaryScale.preScale(2));
    workloads.observe(spec, revisions);
    workloads.canaryLost(spec, revisions);
    workloads.scaleStable(spec, revisions, Optional.of(3));
    workloads.observe(spec, revisions);
    workloads.promote(spec, revisions);
    workloads.promotionComplete(spec, revisions);
    workloads.removeCanary(spec, revisions);

    List<HeldWatchServer.Request> requests = server.requestsSince(from);
    assertThat(requests).as("reads of the API server after the caches were filled")
        .noneMatch(r -> r.method().equals("GET"));
    assertThat(requests).extracting(HeldWatchServer.Request::method)
        .as("create, canary scale, stable scale, promotion, stable given back, canary deleted")
        .containsExactly("POST", "PATCH", "PATCH", "PATCH", "PATCH", "DELETE");
    assertThat(requests).as("every patch changes a field, not only the resourceVersion guard")
        .filteredOn(r -> r.method().equals("PATCH"))
        .allMatch(r -> r.body().replace("\"path\":\"/metadata/resourceVersion\"", "").contains("\"path\""));
  }

  @Test
  void askingForTheScaleInForceSendsNoWrite() {
    Revisions revisions = workloads.ensureCanary(spec);
    workloads.scaleCanary(spec, revisions, CanaryScale.preScale(2));
    workloads.scaleStable(spec, revisions, Optional.of(3));
    int from = server.requests().size();

    workloads.scaleCanary(spec, revisions, CanaryScale.preScale(2));
    workloads.scaleCanary(spec, revisions, CanaryScale.fixed(2));
    workloads.scaleStable(spec, revisions, Optional.of(3));
    workloads.trafficShifted(spec, revisions, 20);
    workloads.ensureCanary(spec);

    assertThat(server.requestsSince(from)).as("requests for what is in force already").isEmpty();
  }

  @Test
  void aStableScaleToItsOwnCountOrGivenBackUnchangedSendsNoWrite() {
    Revisions revisions = workloads.ensureCanary(spec);
    int from = server.requests().size();

    workloads.scaleStable(spec, revisions, Optional.empty());
    workloads.scaleStable(spec, revisions, Optional.of(5)); // the count it runs at
    workloads.scaleCanary(spec, revisions, CanaryScale.preScale(0));

    assertThat(server.requestsSince(from)).isEmpty();
    assertThat(cluster.get(TARGET).getMetadata().getAnnotations()).doesNotContainKey(CanaryLabels.USER_REPLICAS);
  }

  @Test
  void aWriteOverAStaleCachedCopyIsReadAgainOnItsConflictAndKeepsTheUsersEdit() {
    Revisions revisions = workloads.ensureCanary(spec);
    server.hold();
    // a user's edit the cache does not see: the cached copy's resourceVersion is stale from now on
    server.client().apps().deployments().inNamespace(NS).withName(TARGET).edit(d -> new DeploymentBuilder(d)
        .editMetadata().addToAnnotations("team.example/owner", "checkout").endMetadata()
        .editSpec().withRevisionHistoryLimit(4).endSpec().build());
    int from = server.requests().size();

    workloads.scaleStable(spec, revisions, Optional.of(2));
    List<HeldWatchServer.Request> requests = server.requestsSince(from);

    Deployment web = cluster.get(TARGET);
    assertThat(web.getSpec().getReplicas()).isEqualTo(2);
    assertThat(web.getSpec().getRevisionHistoryLimit()).as("the user's field").isEqualTo(4);
    assertThat(web.getMetadata().getAnnotations())
        .containsEntry("team.example/owner", "checkout")
        .containsEntry(CanaryLabels.USER_REPLICAS, "5");
    assertThat(requests).extracting(r -> r.method() + " " + r.path().replaceAll("\\?.*", ""))
        .as("the patch over the stale copy, the read its conflict asks for, the patch again")
        .containsExactly(
            "PATCH /apis/apps/v1/namespaces/shop/deployments/web",
            "GET /apis/apps/v1/namespaces/shop/deployments/web",
            "PATCH /apis/apps/v1/namespaces/shop/deployments/web");
  }

  @Test
  void aCanaryCreatedAMomentAgoIsReadAsCreatedBeforeTheInformerHasSeenIt() {
    workloads.validate(spec);
    server.hold(); // the informers hear of nothing from now on
    int from = server.requests().size();

    Revisions revisions = workloads.ensureCanary(spec);
    Revisions again = workloads.ensureCanary(spec);
    workloads.scaleCanary(spec, revisions, CanaryScale.preScale(1));
    workloads.scaleCanary(spec, revisions, CanaryScale.preScale(1));

    assertThat(again).isEqualTo(revisions);
    assertThat(workloads.observe(spec, revisions).canary()).as("the canary, from this process's own write")
        .hasValueSatisfying(c -> assertThat(c.desired()).isEqualTo(1));
    assertThat(server.requestsSince(from)).extracting(r -> r.method() + " " + r.path().replaceAll("\\?.*", ""))
        .as("one create, one scale, no read: the second calls act on the writes' answers, not on the stale cache")
        .containsExactly(
            "POST /apis/apps/v1/namespaces/shop/deployments",
            "PATCH /apis/apps/v1/namespaces/shop/deployments/web-canary");
    assertThat(cluster.get("web-canary").getSpec().getReplicas()).isEqualTo(1);
  }

  @Test
  void aCanaryDeletedAMomentAgoIsNotReadFromTheStaleCache() {
    Revisions revisions = workloads.ensureCanary(spec);
    server.hold();

    workloads.removeCanary(spec, revisions);

    assertThat(workloads.observe(spec, revisions).canary()).as("gone at once, before the informer hears of it").isEmpty();
    assertThat(cluster.get("web-canary")).isNull();
  }
}
