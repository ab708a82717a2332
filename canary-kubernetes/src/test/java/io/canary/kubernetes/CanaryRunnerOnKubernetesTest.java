package io.canary.kubernetes;

import static io.canary.kubernetes.TestCluster.NS;
import static io.canary.kubernetes.TestCluster.TARGET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Phase;
import io.canary.core.CanaryException;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutStatus;
import io.canary.core.Stage;
import io.canary.core.Step;
import io.canary.core.event.RolloutEvent;
import io.canary.core.event.RolloutStarted;
import io.canary.core.memory.InMemoryTrafficRouter;
import io.canary.core.spi.TargetKey;
import io.canary.core.time.VirtualScheduler;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runner over this module's adapters: state in ConfigMaps, one driver per rollout through Leases,
 * one release per target through a claim ConfigMap.
 */
@EnableKubernetesMockClient(crud = true, https = false, kubernetesClientBuilderCustomizer = FastFailingClient.class)
class CanaryRunnerOnKubernetesTest {
  KubernetesMockServer server;
  KubernetesClient client;

  private TestCluster cluster;
  /** The runners' client records what each request needs, to hold it against the Role users apply. */
  private final RunnerRole.Recorder accesses = new RunnerRole.Recorder();
  private KubernetesClient runnerClient;
  /** The routing "in the cluster", shared by every runner as a VirtualService would be. */
  private final InMemoryTrafficRouter router = new InMemoryTrafficRouter();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  /** Released after a runner's watch callback ran, so a test waits for the watch instead of sleeping. */
  private final Semaphore watchCallbacks = new Semaphore(0);

  private static final CanarySpec SPEC = CanarySpec.copyOf(
          TestCluster.spec(NewRevision.image("app", "shop/web:2.0"), Step.setWeight(25), Step.pause(), Step.setWeight(50)))
      .withScaleDownDelay(Duration.ofSeconds(30));

  @BeforeEach
  void setUp() {
    cluster = new TestCluster(client);
    cluster.deployment(TARGET, 4, "shop/web:1.0");
    cluster.rollOut(TARGET, 4);
    runnerClient = server.createClient(b -> {
      new FastFailingClient().accept(b);
      b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("access", accesses));
    });
    toClose.add(runnerClient);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  /** One runner process: its own clock, workloads, store and lock; the cluster and the routing are shared. */
  private final class Runner {
    final VirtualScheduler scheduler = VirtualScheduler.create();
    final KubernetesWorkloads workloads = KubernetesWorkloads.create(runnerClient);
    final List<RolloutEvent> events = new CopyOnWriteArrayList<>();
    final CanaryRunner runner;
    final String identity;

    Runner(String identity) {
      this.identity = identity;
      runner = CanaryRunner.builder()
          .trafficRouter(router)
          .workloads(WatchDrivenRun.signalling(workloads, watchCallbacks))
          .stateStore(ConfigMapStateStore.create(runnerClient, NS))
          .leases(KubernetesRunnerLeases.create(runnerClient, NS, scheduler))
          .claims(ConfigMapTargetClaims.create(runnerClient, NS))
          .scheduler(scheduler)
          .identity(identity)
          .addListener(events::add)
          .addListener(workloads.eventRecorder())
          .build();
      toClose.add(workloads);
      toClose.add(runner);
    }

    /** Runs this runner, playing the Deployment controller, until {@code condition} holds ({@link WatchDrivenRun}). */
    RolloutStatus drive(RolloutHandle handle, Predicate<RolloutStatus> condition) throws InterruptedException {
      return new WatchDrivenRun(scheduler, client, cluster, watchCallbacks).drive(handle, condition);
    }
  }

  private static Predicate<RolloutStatus> pausedAt(int weight) {
    return s -> s.phase() == Phase.PAUSED && s.currentWeight() == weight;
  }

  private static long started(List<RolloutEvent> events, boolean resumed) {
    return events.stream().filter(e -> e instanceof RolloutStarted r && r.resumed() == resumed).count();
  }

  @Test
  void aSecondRunnerResumesFromTheStoredStateAfterTheFirstIsClosedMidPause() throws Exception {
    Runner first = new Runner("runner-a");
    RolloutHandle handle = first.runner.start(SPEC);
    RolloutStatus paused = first.drive(handle, pausedAt(25));
    Deployment canary = cluster.get("web-canary");
    assertThat(canary.getSpec().getReplicas()).isEqualTo(1);
    first.runner.close();
    assertThat(handle.isDriving()).isFalse();

    Runner second = new Runner("runner-b");
    List<RolloutHandle> resumed = second.runner.resumeAll(key -> key.equals(SPEC.key()) ? Optional.of(SPEC) : Optional.empty());
    assertThat(resumed).hasSize(1);
    RolloutHandle handle2 = resumed.get(0);
    RolloutStatus carriedOn = second.drive(handle2, s -> s.phase() == Phase.PAUSED);

    assertThat(carriedOn.stepIndex()).isEqualTo(paused.stepIndex());
    assertThat(carriedOn.currentWeight()).isEqualTo(25);
    assertThat(carriedOn.canaryRevision()).isEqualTo(paused.canaryRevision());
    assertThat(started(second.events, true)).as("the second runner resumed, it did not start over").isEqualTo(1);
    assertThat(cluster.get("web-canary").getMetadata().getUid()).as("the same canary, found again")
        .isEqualTo(canary.getMetadata().getUid());

    handle2.promote();
    RolloutStatus done = second.drive(handle2, s -> s.phase().isTerminal());

    assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
    assertThat(cluster.get("web-canary")).as("the canary is removed after the scale-down delay").isNull();
    Deployment stable = cluster.get(TARGET);
    assertThat(stable.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("shop/web:2.0");
    assertThat(stable.getSpec().getReplicas()).isEqualTo(4);
    assertThat(ConfigMapStateStore.clusterWide(client).load(SPEC.key()).orElseThrow().value().phase()).isEqualTo(Phase.SUCCEEDED);
    assertThat(client.v1().events().inNamespace(NS).list().getItems()).extracting(Event::getReason)
        .contains("RolloutStarted", "WeightChanged", "RolloutPromoted");

    RunnerRole role = RunnerRole.load(client);
    assertThat(accesses.accesses).as("requests of a whole rollout").hasSizeGreaterThan(20);
    assertThat(accesses.accesses.stream().distinct().filter(a -> !role.allows(a)).toList())
        .as("requests the Role in %s does not allow", RunnerRole.FILE).isEmpty();
  }

  @Test
  void ofTwoRunnersRacingForOneRolloutExactlyOneActs() throws Exception {
    Runner a = new Runner("runner-a");
    Runner b = new Runner("runner-b");
    RolloutHandle ha = a.runner.start(SPEC);
    RolloutHandle hb = b.runner.start(SPEC);

    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch go = new CountDownLatch(1);
      Future<Integer> ranA = pool.submit(() -> go.await(5, TimeUnit.SECONDS) ? a.scheduler.runDue() : -1);
      Future<Integer> ranB = pool.submit(() -> go.await(5, TimeUnit.SECONDS) ? b.scheduler.runDue() : -1);
      go.countDown();
      ranA.get(10, TimeUnit.SECONDS);
      ranB.get(10, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }

    assertThat(ha.isDriving() ^ hb.isDriving()).as("a drives: %s, b drives: %s", ha.isDriving(), hb.isDriving()).isTrue();
    Runner winner = ha.isDriving() ? a : b;
    Runner loser = ha.isDriving() ? b : a;
    RolloutHandle winnerHandle = ha.isDriving() ? ha : hb;
    RolloutHandle loserHandle = ha.isDriving() ? hb : ha;
    winner.drive(winnerHandle, pausedAt(25));
    loser.scheduler.runDue();

    assertThat(started(winner.events, false)).isEqualTo(1);
    assertThat(loser.events).as("the runner without the lease did nothing").isEmpty();
    assertThat(client.apps().deployments().inNamespace(NS).list().getItems()).extracting(d -> d.getMetadata().getName())
        .containsExactlyInAnyOrder(TARGET, "web-canary");

    // The winner stops; the one standing by takes the rollout over where it was.
    winner.runner.close();
    loser.scheduler.advance(Duration.ofSeconds(15));
    RolloutStatus taken = loser.drive(loserHandle, pausedAt(25));
    assertThat(loserHandle.isDriving()).isTrue();
    assertThat(started(loser.events, true)).isEqualTo(1);
    assertThat(taken.stepIndex()).isEqualTo(1);
  }

  @Test
  void aSecondRunnerCarriesOnAPromotionTheFirstLeftUnderWay() throws Exception {
    Runner first = new Runner("runner-a");
    RolloutHandle handle = first.runner.start(SPEC);
    first.drive(handle, pausedAt(25));
    handle.promoteFully();
    RolloutStatus promoting = first.drive(handle, s -> s.stage() == Stage.PROMOTE_STABLE);
    Deployment stable = cluster.get(TARGET);
    assertThat(stable.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("shop/web:2.0");
    assertThat(stable.getMetadata().getGeneration()).as("the controller has not caught up")
        .isGreaterThan(stable.getStatus().getObservedGeneration());
    first.runner.close();

    Runner second = new Runner("runner-b");
    RolloutHandle handle2 = second.runner.start(SPEC);
    RolloutStatus done = second.drive(handle2, s -> s.phase().isTerminal());

    assertThat(promoting.phase()).isEqualTo(Phase.PROMOTING);
    assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
    assertThat(started(second.events, true)).isEqualTo(1);
    assertThat(cluster.get("web-canary")).isNull();
    assertThat(cluster.get(TARGET).getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("canary.io/revision", promoting.canaryRevision().orElseThrow().hash());
  }

  /** Another rollout name and another canary Deployment, the same target Deployment. */
  private static final CanarySpec OTHER = CanarySpec.copyOf(SPEC).withName("web-green")
      .withRevision(NewRevision.image("app", "shop/web:3.0"));
  private static final String CLAIM = ConfigMapTargetClaims.configMapName(TargetKey.of(SPEC));

  @Test
  void ofTwoRunnersStartingTwoRolloutsOfOneTargetAtTheSameInstantOneRunsAndTheOtherIsRefused() throws Exception {
    Runner a = new Runner("runner-a");
    Runner b = new Runner("runner-b");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    Future<RolloutHandle> startA;
    Future<RolloutHandle> startB;
    try {
      CountDownLatch go = new CountDownLatch(1);
      startA = pool.submit(() -> go.await(5, TimeUnit.SECONDS) ? a.runner.start(SPEC) : null);
      startB = pool.submit(() -> go.await(5, TimeUnit.SECONDS) ? b.runner.start(OTHER) : null);
      go.countDown();
      Optional<RolloutHandle> ha = started(startA);
      Optional<RolloutHandle> hb = started(startB);
      assertThat(ha.isPresent() ^ hb.isPresent()).as("a started: %s, b started: %s", ha, hb).isTrue();
    } finally {
      pool.shutdownNow();
    }
    boolean aWon = started(startA).isPresent();
    Runner winner = aWon ? a : b;
    Runner loser = aWon ? b : a;
    CanarySpec won = aWon ? SPEC : OTHER;
    CanarySpec lost = aWon ? OTHER : SPEC;
    RolloutHandle handle = started(aWon ? startA : startB).orElseThrow();
    assertThatThrownBy(() -> (aWon ? startB : startA).get())
        .isInstanceOf(ExecutionException.class).cause()
        .isInstanceOf(CanaryException.class)
        .hasMessageContaining("target Deployment/web is held by rollout shop/" + won.name());

    winner.drive(handle, pausedAt(25));
    loser.scheduler.advance(Duration.ofMinutes(1));
    assertThat(claimHolder()).contains(won.name());
    assertThat(loser.events).as("the refused runner did nothing").isEmpty();
    assertThat(client.configMaps().inNamespace(NS).withName(ConfigMapStateStore.configMapName(lost.key())).get())
        .as("no status of the refused rollout").isNull();
    assertThat(client.leases().inNamespace(NS).withName(KubernetesRunnerLeases.leaseName(loser.identity)).get())
        .as("no lease of the refused runner").isNull();
    assertThat(client.apps().deployments().inNamespace(NS).list().getItems()).extracting(d -> d.getMetadata().getName())
        .containsExactlyInAnyOrder(TARGET, "web-canary");
    assertThat(ConfigMapStateStore.create(client, NS).load(won.key()).orElseThrow().value().currentWeight()).isEqualTo(25);
    // The refused one is told again, naming the phase and step of the release under way.
    assertThatThrownBy(() -> loser.runner.start(lost))
        .isInstanceOf(CanaryException.class)
        .hasMessageContaining("held by rollout shop/" + won.name() + " (Paused, step 2/3)");

    // Once the first has ended, its claim is gone and the other release claims the target.
    handle.promoteFully();
    assertThat(winner.drive(handle, s -> s.phase().isTerminal()).phase()).isEqualTo(Phase.SUCCEEDED);
    assertThat(client.configMaps().inNamespace(NS).withName(CLAIM).get()).as("the claim is given up").isNull();
    RolloutHandle next = loser.runner.start(lost);
    assertThat(loser.drive(next, pausedAt(25)).currentWeight()).isEqualTo(25);
    assertThat(claimHolder()).contains(lost.name());
    ConfigMap claim = client.configMaps().inNamespace(NS).withName(CLAIM).get();
    assertThat(claim.getMetadata().getLabels()).containsEntry(CanaryLabels.TARGET_CLAIM, "true")
        .containsEntry(CanaryLabels.ROLLOUT, lost.name()).containsEntry(CanaryLabels.MANAGED_BY, CanaryLabels.MANAGED_BY_VALUE);

    RunnerRole role = RunnerRole.load(client);
    assertThat(accesses.accesses.stream().distinct().filter(x -> !role.allows(x)).toList())
        .as("requests the Role in %s does not allow", RunnerRole.FILE).isEmpty();
  }

  @Test
  void aDeadRunnersClaimKeepsItsRolloutUnderWayAndAStaleOneIsReplaced() throws Exception {
    Runner first = new Runner("runner-a");
    RolloutHandle handle = first.runner.start(SPEC);
    first.drive(handle, pausedAt(25));
    first.runner.close();

    Runner second = new Runner("runner-b");
    second.scheduler.advance(Duration.ofMinutes(1));
    assertThatThrownBy(() -> second.runner.start(OTHER))
        .as("its runner is gone, the rollout is still under way")
        .isInstanceOf(CanaryException.class)
        .hasMessageContaining("held by rollout shop/" + SPEC.name() + " (Paused, step 2/3)");
    RolloutHandle resumed = second.runner.start(SPEC);
    second.drive(resumed, s -> resumed.isDriving());
    assertThat(started(second.events, true)).as("the same rollout resumed is no second release").isEqualTo(1);
    resumed.abort();
    assertThat(second.drive(resumed, s -> s.phase().isTerminal()).phase()).isEqualTo(Phase.ABORTED);

    // A claim its runner left behind when it stopped after saving Aborted: stale once a lease duration old.
    ConfigMapTargetClaims.create(runnerClient, NS).claim(TargetKey.of(SPEC), SPEC.key(), second.scheduler.now(), c -> true);
    Runner third = new Runner("runner-c");
    third.scheduler.advanceTo(second.scheduler.now());
    assertThatThrownBy(() -> third.runner.start(OTHER)).isInstanceOf(CanaryException.class).hasMessageContaining("(Aborted");
    third.scheduler.advance(Duration.ofSeconds(15));
    RolloutHandle next = third.runner.start(OTHER);
    assertThat(third.drive(next, pausedAt(25)).currentWeight()).isEqualTo(25);
    assertThat(claimHolder()).contains(OTHER.name());
  }

  private Optional<String> claimHolder() {
    return Optional.ofNullable(client.configMaps().inNamespace(NS).withName(CLAIM).get())
        .map(cm -> cm.getData().get(ConfigMapTargetClaims.ROLLOUT_KEY));
  }

  private static Optional<RolloutHandle> started(Future<RolloutHandle> start) throws Exception {
    try {
      return Optional.of(start.get(10, TimeUnit.SECONDS));
    } catch (ExecutionException e) {
      return Optional.empty();
    }
  }
}
