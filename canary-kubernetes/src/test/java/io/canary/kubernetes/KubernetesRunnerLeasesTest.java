package io.canary.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.CanaryException;
import io.canary.core.RolloutOwner;
import io.canary.core.time.VirtualScheduler;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false, kubernetesClientBuilderCustomizer = FastFailingClient.class)
class KubernetesRunnerLeasesTest {
  private static final Duration LEASE = Duration.ofSeconds(15);
  private static final OptionalLong NONE = OptionalLong.empty();

  KubernetesClient client;
  KubernetesMockServer server;

  private final VirtualScheduler clock = VirtualScheduler.create();

  private Lease lease(String runner) {
    return client.leases().inNamespace("canary").withName(KubernetesRunnerLeases.leaseName(runner)).get();
  }

  private KubernetesRunnerLeases leases() {
    return KubernetesRunnerLeases.create(client, "canary", clock);
  }

  @Test
  void aTakeCreatesTheRunnersLeaseAtANewEpochAndARenewalIsOneWriteWithoutARead() throws Exception {
    KubernetesRunnerLeases leases = leases();
    long epoch = leases.acquire("runner-a", LEASE, NONE).orElseThrow();
    Lease lease = lease("runner-a");
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("runner-a");
    assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(15);
    assertThat(lease.getMetadata().getAnnotations()).containsEntry(CanaryLabels.EPOCH, Long.toString(epoch));
    assertThat(lease.getMetadata().getLabels()).containsEntry(CanaryLabels.RUNNER_LEASE, "true");

    clock.advance(Duration.ofSeconds(5));
    int before = server.getRequestCount();
    assertThat(leases.renew("runner-a", epoch, LEASE)).isTrue();
    assertThat(server.getRequestCount() - before).as("a renewal: one PUT over the copy last written").isEqualTo(1);
    assertThat(server.getLastRequest().getMethod()).isEqualTo("PUT");
    assertThat(lease("runner-a").getSpec().getRenewTime().toInstant()).isEqualTo(clock.now());
  }

  @Test
  void anotherRunnerSeesALiveLeaseHoldAndRevokesOneThatRanOutSoThatItsLateRenewalFails() {
    KubernetesRunnerLeases a = leases();
    KubernetesRunnerLeases b = leases();
    long epoch = a.acquire("runner-a", LEASE, NONE).orElseThrow();
    RolloutOwner owner = new RolloutOwner("runner-a", epoch);

    clock.advance(Duration.ofSeconds(14));
    assertThat(b.holds(owner)).as("14 s after the take").isTrue();
    assertThat(b.holds(new RolloutOwner("runner-a", epoch - 1))).as("another epoch").isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(b.holds(owner)).as("ran out: revoked").isFalse();
    assertThat(lease("runner-a")).as("a revoked Lease is deleted").isNull();
    assertThat(a.renew("runner-a", epoch, LEASE)).as("the revoked epoch cannot be renewed").isFalse();
    assertThat(b.holds(owner)).as("and stays over").isFalse();

    long next = a.acquire("runner-a", LEASE, OptionalLong.of(epoch)).orElseThrow();
    assertThat(next).as("a new epoch").isGreaterThan(epoch);
    assertThat(b.holds(new RolloutOwner("runner-a", next))).isTrue();
    assertThat(b.holds(owner)).isFalse();
  }

  @Test
  void aLeaseHeldLiveAtAnotherEpochIsNotTakenUnlessItIsTheEpochThisRunnerLeft() {
    KubernetesRunnerLeases first = leases();
    long epoch = first.acquire("runner-a", LEASE, NONE).orElseThrow();
    KubernetesRunnerLeases second = leases();
    assertThat(second.acquire("runner-a", LEASE, NONE)).as("another process with the same identity").isEmpty();
    OptionalLong again = first.acquire("runner-a", LEASE, OptionalLong.of(epoch));
    assertThat(again).as("the runner's own previous epoch").isPresent();
    assertThat(first.renew("runner-a", epoch, LEASE)).as("the old epoch is over").isFalse();
    assertThat(first.renew("runner-a", again.getAsLong(), LEASE)).isTrue();
    clock.advance(LEASE);
    assertThat(second.acquire("runner-a", LEASE, NONE)).as("once it ran out").isPresent();
  }

  @Test
  void aRenewalOverAStaleCopyReadsAgainAndRenewsWhileTheEpochIsStillItsOwn() {
    KubernetesRunnerLeases leases = leases();
    long epoch = leases.acquire("runner-a", LEASE, NONE).orElseThrow();
    // Someone else's write (a label, say) moves the resourceVersion on.
    client.leases().inNamespace("canary").withName(KubernetesRunnerLeases.leaseName("runner-a"))
        .edit(l -> new LeaseBuilder(l).editMetadata().addToLabels("team", "platform").endMetadata().build());
    assertThat(leases.renew("runner-a", epoch, LEASE)).isTrue();
    assertThat(lease("runner-a").getMetadata().getLabels()).containsEntry("team", "platform");
  }

  @Test
  void aReleasedLeaseIsDeletedAndAnotherRunnerSeesItGone() {
    KubernetesRunnerLeases a = leases();
    long epoch = a.acquire("runner-a", LEASE, NONE).orElseThrow();
    a.release("runner-a", epoch + 1);
    assertThat(lease("runner-a")).as("another epoch's release keeps it").isNotNull();
    a.release("runner-a", epoch);
    assertThat(lease("runner-a")).isNull();
    assertThat(leases().holds(new RolloutOwner("runner-a", epoch))).isFalse();
  }

  @Test
  void aDeadRunnersLeaseThatRanOutIsSweptWhenAnotherRunnerTakesOrGivesUpItsOwn() {
    KubernetesRunnerLeases dead = leases();
    dead.acquire("runner-dead", LEASE, NONE).orElseThrow();
    KubernetesRunnerLeases live = leases();
    long epoch = live.acquire("runner-live", LEASE, NONE).orElseThrow();
    assertThat(lease("runner-dead")).as("not run out yet: kept").isNotNull();
    clock.advance(LEASE);
    live.release("runner-live", epoch);
    assertThat(lease("runner-dead")).as("ran out: swept").isNull();
    assertThat(lease("runner-live")).isNull();

    dead.acquire("runner-dead", LEASE, NONE).orElseThrow();
    clock.advance(LEASE.plusSeconds(1));
    live.acquire("runner-live", LEASE, NONE).orElseThrow();
    assertThat(lease("runner-dead")).as("swept when another runner takes its lease").isNull();
    assertThat(lease("runner-live").getSpec().getHolderIdentity()).isEqualTo("runner-live");
  }

  @Test
  void aLeaseOfThatNameNotMadeByTheSdkIsLeftAlone() {
    client.leases().inNamespace("canary").resource(new LeaseBuilder().withNewMetadata()
        .withName(KubernetesRunnerLeases.leaseName("runner-a")).endMetadata().withNewSpec().withHolderIdentity("someone")
        .endSpec().build()).create();
    assertThatThrownBy(() -> leases().acquire("runner-a", LEASE, NONE)).isInstanceOf(CanaryException.class)
        .hasMessageContaining("canary/canary-runner-runner-a").hasMessageContaining("not created by the Canary SDK");
  }

  @Test
  void anIdentityThatIsNoNameGetsOneWithAHash() {
    assertThat(KubernetesRunnerLeases.leaseName("runner-a")).isEqualTo("canary-runner-runner-a");
    assertThat(KubernetesRunnerLeases.leaseName("Host_7/worker")).matches("canary-runner-host-7-worker-[0-9a-f]{8}");
    assertThat(KubernetesRunnerLeases.leaseName("Host_7/worker")).isNotEqualTo(KubernetesRunnerLeases.leaseName("host-7-worker"));
  }

  @Test
  void ofTwoRunnersRevokingAndRenewingOneLeaseExactlyOneWins() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 20; round++) {
        String runner = "runner-" + round;
        KubernetesRunnerLeases own = leases();
        long epoch = own.acquire(runner, LEASE, NONE).orElseThrow();
        clock.advance(LEASE);
        KubernetesRunnerLeases other = leases();
        CountDownLatch start = new CountDownLatch(1);
        Future<Boolean> renewed = pool.submit(() -> start.await(5, TimeUnit.SECONDS) && own.renew(runner, epoch, LEASE));
        Future<Boolean> holds = pool.submit(() -> start.await(5, TimeUnit.SECONDS) && other.holds(new RolloutOwner(runner, epoch)));
        start.countDown();
        boolean renewedFirst = renewed.get(10, TimeUnit.SECONDS);
        boolean stillHolds = holds.get(10, TimeUnit.SECONDS);
        // Either the renewal landed (and the other runner then sees it hold), or the revocation did.
        assertThat(renewedFirst).as("round %d", round).isEqualTo(stillHolds);
        Lease left = lease(runner);
        assertThat(left != null && runner.equals(left.getSpec().getHolderIdentity())).as("round %d: held", round)
            .isEqualTo(renewedFirst);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
