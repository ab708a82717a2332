package io.canary.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.RolloutKey;
import io.canary.core.time.VirtualScheduler;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false, kubernetesClientBuilderCustomizer = FastFailingClient.class)
class LeaseRolloutLockTest {
  private static final RolloutKey KEY = RolloutKey.of("shop", "web-release");
  private static final Duration LEASE = Duration.ofSeconds(15);

  KubernetesClient client;

  private final VirtualScheduler clock = VirtualScheduler.create();

  private Lease lease() {
    return client.leases().inNamespace("shop").withName("canary-rollout-web-release").get();
  }

  @Test
  void theFirstHolderGetsTheLeaseAndAnotherIsRefusedWhileItIsRenewed() {
    LeaseRolloutLock a = LeaseRolloutLock.create(client, clock);
    LeaseRolloutLock b = LeaseRolloutLock.create(client, clock);

    assertThat(a.tryAcquire(KEY, "runner-a", LEASE)).isTrue();
    assertThat(b.tryAcquire(KEY, "runner-b", LEASE)).isFalse();
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("runner-a");
    assertThat(lease().getSpec().getLeaseDurationSeconds()).isEqualTo(15);

    clock.advance(Duration.ofSeconds(10));
    assertThat(a.tryAcquire(KEY, "runner-a", LEASE)).as("renewal").isTrue();
    assertThat(lease().getSpec().getRenewTime().toInstant()).isEqualTo(clock.now());
    clock.advance(Duration.ofSeconds(10));
    assertThat(b.tryAcquire(KEY, "runner-b", LEASE)).as("renewed 10s ago, still valid").isFalse();
  }

  @Test
  void anExpiredLeaseGoesToAnotherHolderAndTheOldHolderLosesIt() {
    LeaseRolloutLock a = LeaseRolloutLock.create(client, clock);
    LeaseRolloutLock b = LeaseRolloutLock.create(client, clock::now);
    assertThat(a.tryAcquire(KEY, "runner-a", LEASE)).isTrue();

    clock.advance(LEASE);
    assertThat(b.tryAcquire(KEY, "runner-b", LEASE)).isTrue();
    assertThat(a.tryAcquire(KEY, "runner-a", LEASE)).as("the old holder cannot renew").isFalse();

    Lease lease = lease();
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("runner-b");
    assertThat(lease.getSpec().getLeaseTransitions()).isEqualTo(1);
    assertThat(lease.getSpec().getAcquireTime().toInstant()).isEqualTo(clock.now());
  }

  @Test
  void aReleasedLeaseIsRemovedAndOnlyItsHolderCanReleaseIt() {
    LeaseRolloutLock a = LeaseRolloutLock.create(client, clock);
    assertThat(a.tryAcquire(KEY, "runner-a", LEASE)).isTrue();

    a.release(KEY, "runner-b");
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("runner-a");

    a.release(KEY, "runner-a");
    assertThat(lease()).as("no Lease left behind once released").isNull();
    assertThat(a.tryAcquire(KEY, "runner-b", LEASE)).isTrue();
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("runner-b");
  }

  @Test
  void onTheSystemClockAFreshLeaseIsNotExpired() {
    LeaseRolloutLock lock = LeaseRolloutLock.create(client);

    assertThat(lock.tryAcquire(KEY, "runner-a", LEASE)).isTrue();
    assertThat(lock.tryAcquire(KEY, "runner-b", LEASE)).isFalse();
    assertThat(lease().getSpec().getRenewTime().toInstant()).isAfter(clock.now());
  }

  @Test
  void ofTwoRunnersRacingForAnExpiredLeaseExactlyOneGetsIt() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 20; round++) {
        RolloutKey key = RolloutKey.of("shop", "race-" + round);
        LeaseRolloutLock lock = LeaseRolloutLock.create(client, clock);
        assertThat(lock.tryAcquire(key, "runner-old", LEASE)).isTrue();
        clock.advance(LEASE);
        CountDownLatch start = new CountDownLatch(1);
        Future<Boolean> b = pool.submit(() -> start.await(5, TimeUnit.SECONDS) && lock.tryAcquire(key, "runner-b", LEASE));
        Future<Boolean> c = pool.submit(() -> start.await(5, TimeUnit.SECONDS) && lock.tryAcquire(key, "runner-c", LEASE));
        start.countDown();

        boolean bWon = b.get(10, TimeUnit.SECONDS);
        boolean cWon = c.get(10, TimeUnit.SECONDS);
        assertThat(bWon ^ cWon).as("round %d: b %s, c %s", round, bWon, cWon).isTrue();
        assertThat(client.leases().inNamespace("shop").withName("canary-rollout-race-" + round).get()
            .getSpec().getHolderIdentity()).isEqualTo(bWon ? "runner-b" : "runner-c");
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
