package io.canary.kubernetes;

import io.canary.client.FieldManager;
import io.canary.core.CanaryException;
import io.canary.core.ConflictException;
import io.canary.core.RolloutKey;
import io.canary.core.spi.RolloutLock;
import io.canary.core.time.Scheduler;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One driver per rollout through a coordination.k8s.io/v1 Lease, {@code canary-rollout-<name>} in the
 * rollout's namespace. A holder takes a free or expired lease and renews its own; a lease is expired
 * once {@code renewTime + leaseDurationSeconds} has passed on the runner's clock. Every write carries
 * the resourceVersion read, so of two runners racing for one lease exactly one wins.
 *
 * <p>Expiry is judged on the clock given here (the runner's {@link Scheduler}), so runners comparing
 * leases need clocks that roughly agree, as with any Kubernetes lease.
 */
public final class LeaseRolloutLock implements RolloutLock {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseRolloutLock.class);
  private static final String PREFIX = "canary-rollout-";
  /** Writes answered with 409 in a row, each after reading the lease again, before the conflict is thrown. */
  private static final int CONFLICT_ATTEMPTS = 3;

  private final KubernetesClient client;
  private final Supplier<Instant> clock;

  private LeaseRolloutLock(KubernetesClient client, Supplier<Instant> clock) {
    this.client = FieldManager.client(Objects.requireNonNull(client, "client"));
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A lock judging expiry on the system clock, for runners on a {@code SystemScheduler}. */
  public static LeaseRolloutLock create(KubernetesClient client) {
    return new LeaseRolloutLock(client, Instant::now);
  }

  /** A lock judging expiry on {@code clock}. */
  public static LeaseRolloutLock create(KubernetesClient client, Supplier<Instant> clock) {
    return new LeaseRolloutLock(client, clock);
  }

  /** A lock judging expiry on the runner's scheduler (pass the same one as the runner's). */
  public static LeaseRolloutLock create(KubernetesClient client, Scheduler scheduler) {
    Objects.requireNonNull(scheduler, "scheduler");
    return new LeaseRolloutLock(client, scheduler::now);
  }

  public static String leaseName(RolloutKey key) {
    return PREFIX + key.name();
  }

  /**
   * Takes or renews the lease. A write answered with 409 is not taken for a lost race at once: the
   * lease is read again, and only another holder whose lease has not run out makes the answer false;
   * otherwise (the conflict came from elsewhere, or a holder that gave the lease up) the write is made
   * again on what was read.
   */
  @Override
  public boolean tryAcquire(RolloutKey key, String holder, Duration leaseDuration) {
    Objects.requireNonNull(holder, "holder");
    for (int attempt = 1; ; attempt++) {
      Optional<Boolean> answer = attempt(key, holder, leaseDuration);
      if (answer.isPresent()) {
        return answer.get();
      }
      if (attempt >= CONFLICT_ATTEMPTS) {
        throw new ConflictException("Lease " + key.namespace() + "/" + leaseName(key) + " kept changing while " + holder
            + " wrote it (" + attempt + " conflicts in a row, each read again)");
      }
      LOG.debug("Rollout {}: the lease write of {} was answered with a conflict; reading it again", key, holder);
    }
  }

  /** True or false as the lease answers; empty when the write was answered with a conflict. */
  private Optional<Boolean> attempt(RolloutKey key, String holder, Duration leaseDuration) {
    int seconds = (int) Math.max(1, (leaseDuration.toMillis() + 999) / 1000);
    var leases = client.leases().inNamespace(key.namespace());
    Lease current = leases.withName(leaseName(key)).get();
    Instant now = clock.get();
    try {
      if (current == null) {
        leases.resource(new LeaseBuilder()
            .withNewMetadata().withName(leaseName(key)).withNamespace(key.namespace())
            .withLabels(CanaryLabels.forRollout(key.name())).endMetadata()
            .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(seconds)
            .withAcquireTime(microTime(now)).withRenewTime(microTime(now)).withLeaseTransitions(0).endSpec()
            .build()).create();
        LOG.debug("Rollout {}: {} took the new lease", key, holder);
        return Optional.of(true);
      }
      requireOurs(current, key);
      String owner = current.getSpec().getHolderIdentity();
      boolean mine = holder.equals(owner);
      if (!mine && owner != null && !owner.isEmpty() && !expired(current, now)) {
        return Optional.of(false);
      }
      Lease next = new LeaseBuilder(current).editSpec()
          .withHolderIdentity(holder).withLeaseDurationSeconds(seconds).withRenewTime(microTime(now)).endSpec().build();
      if (!mine) {
        int transitions = current.getSpec().getLeaseTransitions() == null ? 0 : current.getSpec().getLeaseTransitions();
        next.getSpec().setAcquireTime(microTime(now));
        next.getSpec().setLeaseTransitions(transitions + 1);
        LOG.info("Rollout {}: {} takes the lease over from {}", key, holder, owner == null || owner.isEmpty() ? "nobody" : owner);
      }
      // Carries current's resourceVersion: refused with 409 if another runner wrote since our read.
      leases.resource(next).update();
      return Optional.of(true);
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public void release(RolloutKey key, String holder) {
    var leases = client.leases().inNamespace(key.namespace());
    Lease current = leases.withName(leaseName(key)).get();
    if (current == null || current.getSpec() == null || !holder.equals(current.getSpec().getHolderIdentity())) {
      return;
    }
    try {
      // Deleted, not left behind without a holder: a thousand finished rollouts leave no Lease. The
      // resourceVersion precondition keeps a lease another runner took since our read.
      leases.withName(leaseName(key)).lockResourceVersion(current.getMetadata().getResourceVersion()).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT && e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        throw e;
      }
      // Someone else wrote or removed the lease since our read: it is not ours to release any more.
    }
  }

  private static boolean expired(Lease lease, Instant now) {
    ZonedDateTime renewed = lease.getSpec().getRenewTime() != null ? lease.getSpec().getRenewTime() : lease.getSpec().getAcquireTime();
    Integer seconds = lease.getSpec().getLeaseDurationSeconds();
    if (renewed == null || seconds == null) {
      return true;
    }
    return !now.isBefore(renewed.toInstant().plusSeconds(seconds));
  }

  private static ZonedDateTime microTime(Instant t) {
    // The API server keeps lease times to the microsecond.
    return ZonedDateTime.ofInstant(t.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  private static void requireOurs(Lease lease, RolloutKey key) {
    Map<String, String> labels = lease.getMetadata().getLabels();
    if (labels == null || !key.name().equals(labels.get(CanaryLabels.ROLLOUT))) {
      throw new CanaryException("Lease " + key.namespace() + "/" + leaseName(key) + " exists but was not created by"
          + " the Canary SDK (label " + CanaryLabels.ROLLOUT + "=" + key.name() + " is missing); it is left alone: rename it");
    }
  }
}
