package io.canary.kubernetes;

import static io.canary.kubernetes.TestCluster.NS;
import static io.canary.kubernetes.TestCluster.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.Condition;
import io.canary.core.NewRevision;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutStatus;
import io.canary.core.Step;
import io.canary.core.event.RolloutEvent;
import io.canary.core.memory.InMemoryTrafficRouter;
import io.canary.core.time.VirtualScheduler;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A canary Deployment deleted or scaled to zero by hand while the rollout waits is seen through the
 * Deployment watch and aborts the release, traffic to stable first, with a reason naming it; the
 * rollout's own scaling (a setCanaryScale of 0 included) is not mistaken for it.
 */
@EnableKubernetesMockClient(crud = true, https = false, kubernetesClientBuilderCustomizer = FastFailingClient.class)
class CanaryLostTest {
  static final String CANARY = TARGET + "-canary";

  KubernetesMockServer server;
  KubernetesClient client;

  private TestCluster cluster;
  private KubernetesWorkloads workloads;
  private final InMemoryTrafficRouter router = new InMemoryTrafficRouter();
  private final VirtualScheduler scheduler = VirtualScheduler.create();
  private final List<RolloutEvent> events = new CopyOnWriteArrayList<>();
  private final Semaphore watchCallbacks = new Semaphore(0);
  private CanaryRunner runner;
  private WatchDrivenRun run;

  @BeforeEach
  void setUp() {
    cluster = new TestCluster(client);
    run = new WatchDrivenRun(scheduler, client, cluster, watchCallbacks);
    cluster.deployment(TARGET, 4, "shop/web:1.0");
    cluster.rollOut(TARGET, 4);
    workloads = KubernetesWorkloads.create(client);
    runner = CanaryRunner.builder().trafficRouter(router).workloads(WatchDrivenRun.signalling(workloads, watchCallbacks)).scheduler(scheduler)
        .addListener(events::add).build();
  }

  @AfterEach
  void tearDown() {
    runner.close();
    workloads.close();
  }

  @Test
  void aCanaryDeletedByHandWhilePausedAbortsWithAReasonNamingIt() throws Exception {
    CanarySpec spec = TestCluster.spec(NewRevision.image("app", "shop/web:2.0"), Step.setWeight(25), Step.pause(), Step.setWeight(50));
    RolloutHandle rollout = runner.start(spec);
    run.drive(rollout, s -> s.phase() == Phase.PAUSED);
    assertThat(workloads.canaryName(spec)).isEqualTo(CANARY);

    client.apps().deployments().inNamespace(NS).withName(CANARY).delete();
    RolloutStatus aborting = run.drive(rollout, s -> s.phase() == Phase.ABORTING);

    assertThat(aborting.conditions()).extracting(Condition::reason).contains("CanaryWorkloadLost");
    assertThat(aborting.abortReason().orElse("")).contains("canary Deployment " + NS + "/" + CANARY + " was deleted outside the rollout");
    RolloutStatus ended = run.drive(rollout, s -> s.phase().isTerminal());
    assertThat(ended.phase()).isEqualTo(Phase.ABORTED);
    assertThat(router.weights(spec.key())).as("traffic back to stable").endsWith(0);
    assertThat(router.currentWeights(spec).get(0).canaryWeight()).isZero();
  }

  @Test
  void aCanaryScaledToZeroByHandAbortsTheRelease() throws Exception {
    CanarySpec spec = TestCluster.spec(NewRevision.image("app", "shop/web:2.0"), Step.setWeight(25), Step.pause(), Step.setWeight(50));
    RolloutHandle rollout = runner.start(spec);
    run.drive(rollout, s -> s.phase() == Phase.PAUSED);

    client.apps().deployments().inNamespace(NS).withName(CANARY).scale(0);
    RolloutStatus ended = run.drive(rollout, s -> s.phase().isTerminal());

    assertThat(ended.phase()).isEqualTo(Phase.ABORTED);
    assertThat(ended.conditions()).extracting(Condition::reason).contains("CanaryWorkloadLost");
    assertThat(events).extracting(RolloutEvent::message)
        .anyMatch(m -> m.contains("canary Deployment " + NS + "/" + CANARY + " was scaled from 1 to 0 replicas outside the rollout"));
  }

  @Test
  void theRolloutsOwnScalingToZeroIsNoLoss() throws Exception {
    CanarySpec spec = TestCluster.spec(NewRevision.image("app", "shop/web:2.0"), Step.setCanaryScaleReplicas(2),
        Step.pause(Duration.ofSeconds(10)), Step.setCanaryScaleReplicas(0), Step.pause(),
        Step.setCanaryScaleMatchTrafficWeight(), Step.setWeight(50));
    RolloutHandle rollout = runner.start(spec);
    run.drive(rollout, s -> s.phase() == Phase.PAUSED && s.stepIndex() == 3);
    assertThat(client.apps().deployments().inNamespace(NS).withName(CANARY).get().getSpec().getReplicas()).isZero();

    rollout.promote();
    RolloutStatus ended = run.drive(rollout, s -> s.phase().isTerminal());

    assertThat(ended.phase()).isEqualTo(Phase.SUCCEEDED);
    assertThat(ended.conditions()).extracting(Condition::reason).doesNotContain("CanaryWorkloadLost");
  }



}
