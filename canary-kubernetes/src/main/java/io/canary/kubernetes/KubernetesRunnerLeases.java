package io.canary.kubernetes;

import io.canary.client.FieldManager;
import io.canary.core.CanaryException;
import io.canary.core.ConflictException;
import io.canary.core.RolloutOwner;
import io.canary.core.spi.RunnerLeases;
import io.canary.core.time.Scheduler;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runner leases as coordination.k8s.io/v1 Leases, one per runner ({@code canary-runner-<identity>}) in
 * one namespace that every runner of a fleet shares: what leases cost grows with the runners, not with
 * their rollouts. The epoch is the annotation {@code canary.io/epoch}, a new one at every take.
 *
 * <ul>
 *   <li>A take creates the Lease, or takes over one that ran out ({@code renewTime +
 *       leaseDurationSeconds} passed on this clock), was given up, or was revoked.
 *   <li>A renewal writes {@code renewTime} over the Lease as this runner last wrote it (its
 *       resourceVersion, no read first): one request. A conflict reads it again, and only the same
 *       holder at the same epoch, not revoked, renews.
 *   <li>Another runner whose rollout records this one as owner asks {@link #holds}: one read; a Lease
 *       that ran out is revoked there (its holder cleared over the resourceVersion read, then deleted with
 *       that version as precondition), so a late renewal of that epoch fails, the answer is final, and a
 *       dead runner leaves no Lease behind.
 *   <li>The runner gives it up by deleting it (a precondition on its resourceVersion) when it closes or
 *       drives nothing any more.
 *   <li>When a runner takes its lease and when it gives it up, it sweeps the namespace: other runners'
 *       Leases that ran out are revoked and deleted (one labelled list), so that a runner that died
 *       leaves no Lease behind.
 * </ul>
 *
 * <p>Expiry is judged on the clock given here (the runner's {@link Scheduler}), so runners comparing
 * leases need clocks that roughly agree, as with any Kubernetes lease.
 */
public final class KubernetesRunnerLeases implements RunnerLeases {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesRunnerLeases.class);
  private static final String PREFIX = "canary-runner-";
  /** Writes answered with 409 in a row, each after reading the lease again, before the conflict is thrown. */
  private static final int CONFLICT_ATTEMPTS = 3;

  private final KubernetesClient client;
  private final String namespace;
  private final Supplier<Instant> clock;
  /** Each runner's Lease as this object last wrote or read it: renewals write over it without a read. */
  private final Map<String, Lease> written = new ConcurrentHashMap<>();

  private KubernetesRunnerLeases(KubernetesClient client, String namespace, Supplier<Instant> clock) {
    this.client = FieldManager.client(Objects.requireNonNull(client, "client"));
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    if (namespace.isBlank()) {
      throw new IllegalArgumentException("KubernetesRunnerLeases: the namespace of the runners' Leases must not be blank");
    }
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Leases in {@code namespace}, judging expiry on the system clock (runners on a {@code SystemScheduler}). */
  public static KubernetesRunnerLeases create(KubernetesClient client, String namespace) {
    return new KubernetesRunnerLeases(client, namespace, Instant::now);
  }

  /** Leases in {@code namespace}, judging expiry on the runner's scheduler (pass the same one as the runner's). */
  public static KubernetesRunnerLeases create(KubernetesClient client, String namespace, Scheduler scheduler) {
    Objects.requireNonNull(scheduler, "scheduler");
    return new KubernetesRunnerLeases(client, namespace, scheduler::now);
  }

  /** Leases in {@code namespace}, judging expiry on {@code clock}. */
  public static KubernetesRunnerLeases create(KubernetesClient client, String namespace, Supplier<Instant> clock) {
    return new KubernetesRunnerLeases(client, namespace, clock);
  }

  public String namespace() {
    return namespace;
  }

  /**
   * The Lease name of {@code runner}: {@code canary-runner-} and the identity, lower-cased with what a
   * name cannot hold replaced by {@code -}; a changed or long identity gets a short hash of itself.
   */
  public static String leaseName(String runner) {
    String cleaned = runner.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-").replaceAll("^[-.]+|[-.]+$", "");
    if (cleaned.equals(runner) && cleaned.length() <= 200) {
      return PREFIX + cleaned;
    }
    String shortened = cleaned.length() > 180 ? cleaned.substring(0, 180) : cleaned;
    return PREFIX + (shortened.isEmpty() ? "" : shortened + "-") + hash(runner);
  }

  @Override
  public OptionalLong acquire(String runner, Duration duration, OptionalLong previous) {
    for (int attempt = 1; ; attempt++) {
      Lease current = leases().withName(leaseName(runner)).get();
      Instant now = clock.get();
      try {
        if (current == null) {
          long epoch = Math.max(Math.max(1, now.toEpochMilli()), previous.orElse(0) + 1);
          Lease created = leases().resource(new LeaseBuilder()
              .withNewMetadata().withName(leaseName(runner)).withNamespace(namespace)
              .withLabels(Map.of(CanaryLabels.RUNNER_LEASE, "true", CanaryLabels.MANAGED_BY, CanaryLabels.MANAGED_BY_VALUE))
              .withAnnotations(Map.of(CanaryLabels.EPOCH, Long.toString(epoch))).endMetadata()
              .withNewSpec().withHolderIdentity(runner).withLeaseDurationSeconds(seconds(duration))
              .withAcquireTime(microTime(now)).withRenewTime(microTime(now)).withLeaseTransitions(0).endSpec()
              .build()).create();
          written.put(runner, created);
          sweep(runner);
          return OptionalLong.of(epoch);
        }
        requireOurs(current, runner);
        OptionalLong held = epochOf(current);
        boolean free = !runner.equals(current.getSpec().getHolderIdentity()) || expired(current, now)
            || (previous.isPresent() && held.equals(previous));
        if (!free) {
          written.put(runner, current);
          return OptionalLong.empty();
        }
        long epoch = Math.max(held.orElse(0) + 1, now.toEpochMilli());
        int transitions = current.getSpec().getLeaseTransitions() == null ? 0 : current.getSpec().getLeaseTransitions();
        Lease next = new LeaseBuilder(current)
            .editMetadata().addToAnnotations(CanaryLabels.EPOCH, Long.toString(epoch)).endMetadata()
            .editSpec().withHolderIdentity(runner).withLeaseDurationSeconds(seconds(duration))
            .withAcquireTime(microTime(now)).withRenewTime(microTime(now)).withLeaseTransitions(transitions + 1).endSpec()
            .build();
        // Carries current's resourceVersion: refused with 409 if anyone wrote since our read.
        written.put(runner, leases().resource(next).update());
        sweep(runner);
        return OptionalLong.of(epoch);
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt >= CONFLICT_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  @Override
  public boolean renew(String runner, long epoch, Duration duration) {
    Lease base = written.get(runner);
    for (int attempt = 1; ; attempt++) {
      if (base == null || !holdsAt(base, runner, epoch)) {
        return false;
      }
      Lease next = new LeaseBuilder(base).editSpec()
          .withLeaseDurationSeconds(seconds(duration)).withRenewTime(microTime(clock.get())).endSpec().build();
      try {
        written.put(runner, leases().resource(next).update());
        return true;
      } catch (KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
          written.remove(runner);
          return false;
        }
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        if (attempt >= CONFLICT_ATTEMPTS) {
          throw new ConflictException("Lease " + namespace + "/" + leaseName(runner) + " kept changing while " + runner
              + " renewed it (" + attempt + " conflicts in a row, each read again)");
        }
        // Someone wrote it since: a revocation (then this epoch is over) or a write from elsewhere.
        base = leases().withName(leaseName(runner)).get();
        if (base == null) {
          written.remove(runner);
          return false;
        }
        written.put(runner, base);
      }
    }
  }

  @Override
  public boolean holds(RolloutOwner owner) {
    for (int attempt = 1; ; attempt++) {
      Lease current = leases().withName(leaseName(owner.runner())).get();
      if (current == null || !holdsAt(current, owner.runner(), owner.epoch())) {
        return false;
      }
      if (!expired(current, clock.get())) {
        return true;
      }
      // Ran out: revoke it (the holder cleared over the version read: a renewal since wins), so that a late
      // renewal of this epoch fails and the answer stays false; then delete it, so that a dead runner
      // leaves no Lease behind (a precondition keeps one the runner took again since).
      try {
        revoke(current);
        LOG.info("Lease {}/{} of runner {} ran out at epoch {}; revoked", namespace, leaseName(owner.runner()),
            owner.runner(), owner.epoch());
        return false;
      } catch (KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
          return false;
        }
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt >= CONFLICT_ATTEMPTS) {
          throw e;
        }
        // Renewed (or revoked) since our read: judge it again.
      }
    }
  }

  @Override
  public void release(String runner, long epoch) {
    Lease base = written.remove(runner);
    if (base == null || !holdsAt(base, runner, epoch)) {
      base = leases().withName(leaseName(runner)).get();
    }
    if (base == null || !holdsAt(base, runner, epoch)) {
      return;
    }
    try {
      // Deleted, not left behind without a holder; the precondition keeps a lease written since.
      leases().withName(leaseName(runner)).lockResourceVersion(base.getMetadata().getResourceVersion()).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT && e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        throw e;
      }
    }
    sweep(runner);
  }

  /**
   * Revokes and deletes the Leases of other runners that ran out: a runner that died leaves no Lease
   * behind even when no rollout of its was left to take over (it died before its first save, or after
   * its last). One labelled list, when a runner takes its lease and when it gives it up; a failure is
   * logged and left to the next sweep.
   */
  private void sweep(String self) {
    try {
      Instant now = clock.get();
      for (Lease lease : leases().withLabel(CanaryLabels.RUNNER_LEASE, "true").list().getItems()) {
        String holder = lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
        if (leaseName(self).equals(lease.getMetadata().getName()) || !expired(lease, now)) {
          continue;
        }
        try {
          revoke(lease);
          LOG.info("Lease {}/{} of runner {} had run out; revoked and deleted", namespace, lease.getMetadata().getName(),
              holder == null || holder.isEmpty() ? "(revoked before)" : holder);
        } catch (KubernetesClientException e) {
          LOG.debug("Lease {}/{} changed while it was swept; left: {}", namespace, lease.getMetadata().getName(), e.toString());
        }
      }
    } catch (KubernetesClientException e) {
      LOG.info("Could not sweep the runners' Leases of namespace {} that ran out: {}", namespace, e.toString());
    }
  }

  /**
   * Revokes {@code lease}, read as ran out: its holder cleared over the version read (a renewal since
   * wins with a 409 here), then the Lease deleted with the revoked version as precondition, so that a
   * dead runner leaves none behind. One already revoked is only deleted.
   */
  private void revoke(Lease lease) {
    String holder = lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    Lease revoked = holder == null || holder.isEmpty() ? lease
        : leases().resource(new LeaseBuilder(lease).editSpec().withHolderIdentity("").endSpec().build()).update();
    deleteQuietly(revoked);
  }

  private void deleteQuietly(Lease lease) {
    try {
      leases().withName(lease.getMetadata().getName()).lockResourceVersion(lease.getMetadata().getResourceVersion()).delete();
    } catch (KubernetesClientException e) {
      LOG.debug("Lease {}/{} revoked, not deleted: {}", namespace, lease.getMetadata().getName(), e.toString());
    }
  }

  private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<Lease, io.fabric8.kubernetes.api.model.coordination.v1.LeaseList,
      io.fabric8.kubernetes.client.dsl.Resource<Lease>> leases() {
    return client.leases().inNamespace(namespace);
  }

  private static boolean holdsAt(Lease lease, String runner, long epoch) {
    return lease.getSpec() != null && runner.equals(lease.getSpec().getHolderIdentity())
        && epochOf(lease).equals(OptionalLong.of(epoch));
  }

  private static OptionalLong epochOf(Lease lease) {
    String value = Optional.ofNullable(lease.getMetadata().getAnnotations()).map(a -> a.get(CanaryLabels.EPOCH)).orElse(null);
    try {
      return value == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(value));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
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

  private static int seconds(Duration d) {
    return (int) Math.max(1, (d.toMillis() + 999) / 1000);
  }

  private static ZonedDateTime microTime(Instant t) {
    // The API server keeps lease times to the microsecond.
    return ZonedDateTime.ofInstant(t.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  private void requireOurs(Lease lease, String runner) {
    Map<String, String> labels = lease.getMetadata().getLabels();
    if (labels == null || !"true".equals(labels.get(CanaryLabels.RUNNER_LEASE))) {
      throw new CanaryException("Lease " + namespace + "/" + leaseName(runner) + " exists but was not created by the"
          + " Canary SDK (label " + CanaryLabels.RUNNER_LEASE + "=true is missing); it is left alone: give the runner"
          + " another identity");
    }
  }

  private static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
