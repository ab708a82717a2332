package io.canary.hpa;

import io.canary.client.FieldManager;
import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Problem;
import io.canary.core.Revisions;
import io.canary.core.spi.CanaryScale;
import io.canary.core.spi.RevisionState;
import io.canary.core.spi.WorkloadState;
import io.canary.core.spi.Workloads;
import io.canary.hpa.internal.Bounds;
import io.canary.hpa.internal.Bounds.Change;
import io.canary.hpa.internal.Bounds.Held;
import io.canary.hpa.internal.CanaryHpas;
import io.canary.hpa.internal.HpaProblems;
import io.canary.hpa.internal.Hpas;
import io.canary.kubernetes.KubernetesWorkloads;
import io.canary.kubernetes.internal.AutoscalerInformers;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Workloads} for workloads sized by autoscaling/v2 HorizontalPodAutoscalers. Decorates any
 * other {@code Workloads} (the one that creates, promotes and removes the canary workload) and never
 * fights an autoscaler: where an autoscaler sizes a workload, replica counts move only through its
 * bounds, and the user's bounds come back at the end, also after an abort or a crash.
 *
 * <ul>
 *   <li>When an autoscaler sizes the stable workload, the canary gets its own, cloned from it
 *       (metrics, behavior, bounds) or from the spec's {@code scaling.canaryAutoscaler}
 *       ({@link HpaSettings}), starting at its minimum.
 *   <li>Pre-scaling raises the canary autoscaler's minimum; once the weight has moved the minimum goes
 *       back to the user's and the autoscaler decides. A setCanaryScale count holds the canary's
 *       autoscaler at that count (minimum and maximum) until the next scale request or the end.
 *   <li>Dynamic stable scale lowers the stable autoscaler's maximum; workloads without an autoscaler
 *       are scaled by the decorated {@code Workloads}.
 *   <li>The user's bounds are kept on the autoscaler itself (annotation {@code canary.io/original-bounds})
 *       while changed, so any runner can give them back.
 * </ul>
 *
 * <p>Autoscalers are read from one cache per namespace: the decorated {@link KubernetesWorkloads}'s
 * own when it is one (one informer per namespace for both), else informers of this instance's,
 * stopped by {@link #close()}. Closing never closes the decorated {@code Workloads}: whoever made it
 * closes it.
 *
 * <pre>{@code
 * try (KubernetesWorkloads deployments = KubernetesWorkloads.create(client);
 *     HpaAwareWorkloads workloads = HpaAwareWorkloads.wrap(client, deployments)) {
 *   ...
 * }
 * }</pre>
 */
public final class HpaAwareWorkloads implements Workloads, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HpaAwareWorkloads.class);
  private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(30);

  private final Workloads delegate;
  private final Hpas hpas;
  private final Optional<AutoscalerInformers> ownInformers;

  private HpaAwareWorkloads(KubernetesClient host, Workloads delegate) {
    KubernetesClient client = FieldManager.client(host);
    this.delegate = delegate;
    if (delegate instanceof KubernetesWorkloads kubernetes) {
      this.ownInformers = Optional.empty();
      this.hpas = new Hpas(client, kubernetes.autoscalerCaches());
    } else {
      AutoscalerInformers informers = new AutoscalerInformers(client, SYNC_TIMEOUT);
      this.ownInformers = Optional.of(informers);
      this.hpas = new Hpas(client, informers);
    }
  }

  /** Decorates {@code delegate}, reading and writing autoscalers through {@code client}. */
  public static HpaAwareWorkloads wrap(KubernetesClient client, Workloads delegate) {
    return new HpaAwareWorkloads(Objects.requireNonNull(client, "HpaAwareWorkloads.wrap: client is required (the"
        + " host's KubernetesClient)"), Objects.requireNonNull(delegate, "HpaAwareWorkloads.wrap: delegate is required"
        + " (the Workloads that manages the Deployments)"));
  }

  @Override
  public List<Problem> validate(CanarySpec spec) {
    List<Problem> problems = new ArrayList<>(delegate.validate(spec));
    problems.addAll(HpaProblems.of(spec, hpas, HpaSettings.class));
    return problems;
  }

  @Override
  public Revisions previewRevisions(CanarySpec spec) {
    return delegate.previewRevisions(spec);
  }

  @Override
  public Optional<NewRevision> previousRevision(CanarySpec spec) {
    return delegate.previousRevision(spec);
  }

  /**
   * Lets the decorated {@code Workloads} create the canary, then gives it its own autoscaler when one
   * sizes the stable workload. The canary's replicas are set once, to the autoscaler's minimum, just
   * before that autoscaler exists (no autoscaler is fought, and one never acts on a workload at 0
   * replicas): from then on only the autoscaler sizes it.
   */
  @Override
  public Revisions ensureCanary(CanarySpec spec) {
    Revisions revisions = delegate.ensureCanary(spec);
    if (!spec.revision().createsCanaryWorkload()) {
      return revisions;
    }
    Optional<HorizontalPodAutoscaler> stableHpa = stableHpa(spec, revisions);
    if (stableHpa.isEmpty() || canaryHpa(spec, revisions).isPresent()) {
      return revisions; // no autoscaler to clone, or a resumed run finds the canary's again
    }
    Optional<HorizontalPodAutoscalerSpec> released = released(spec);
    HorizontalPodAutoscalerSpec source = released.orElse(stableHpa.get().getSpec());
    Bounds bounds = released.map(Bounds::of).orElseGet(() -> Bounds.usersOf(stableHpa.get()));
    delegate.scaleCanary(spec, revisions, CanaryScale.preScale(bounds.effectiveMin()));
    HorizontalPodAutoscaler created = hpas.create(CanaryHpas.clone(
        spec, stableHpa.get(), source, bounds, revisions.canary().workload()));
    LOG.info("rollout {}: created {} for canary {} ({}{})", spec.key(), Hpas.describe(created),
        revisions.canary().workload(), bounds, released.isPresent() ? ", the new revision's spec" : "");
    return revisions;
  }

  /**
   * With an autoscaler on the canary: a pre-scale raises its minimum to the replicas asked for (capped
   * by the scaling options' pre-scale cap and the autoscaler's maximum; nothing when pre-scaling is
   * off), a fixed scale holds it at exactly that count (minimum and maximum) until the next request
   * or the end. Without one, the decorated {@code Workloads} sets the replicas.
   */
  @Override
  public void scaleCanary(CanarySpec spec, Revisions revisions, CanaryScale request) {
    Optional<HorizontalPodAutoscaler> canaryHpa = canaryHpa(spec, revisions);
    if (canaryHpa.isEmpty()) {
      delegate.scaleCanary(spec, revisions, request);
      return;
    }
    int replicas = request.replicas();
    if (request.isFixed()) {
      changeBounds(spec, canaryHpa.get(), (users, fixed) -> new Held(Bounds.fixedAt(replicas), Optional.of(replicas)),
          "setCanaryScale: fixed at " + replicas + " canary replicas");
    } else if (spec.scaling().preScale()) {
      changeBounds(spec, canaryHpa.get(), (users, fixed) -> Held.users(users.preScaledTo(replicas, spec.scaling().preScaleCap())),
          "pre-scaled for " + replicas + " canary replicas");
    } else {
      // a fixed scale before this request ends here; otherwise the user's bounds stay as they are
      changeBounds(spec, canaryHpa.get(), Change.usersBack(), "pre-scaling is off; the autoscaler sizes the canary");
    }
  }

  /** The weight has moved: a pre-scaled minimum goes back to the user's; a fixed scale holds. */
  @Override
  public void trafficShifted(CanarySpec spec, Revisions revisions, int canaryWeight) {
    delegate.trafficShifted(spec, revisions, canaryWeight);
    canaryHpa(spec, revisions).ifPresent(hpa -> changeBounds(spec, hpa,
        (users, fixed) -> fixed.map(n -> new Held(Bounds.fixedAt(n), fixed)).orElseGet(() -> Held.users(users)),
        "traffic at " + canaryWeight + "%, autoscaler decides"));
  }

  /**
   * With an autoscaler on the stable workload, lowers its maximum (and its minimum where needed) to
   * {@code replicas}, or gives the user's bounds back when empty. Without one, the decorated
   * {@code Workloads} sets the replicas.
   */
  @Override
  public void scaleStable(CanarySpec spec, Revisions revisions, Optional<Integer> replicas) {
    Optional<HorizontalPodAutoscaler> stableHpa = stableHpa(spec, revisions);
    if (stableHpa.isEmpty()) {
      delegate.scaleStable(spec, revisions, replicas);
      return;
    }
    if (replicas.isPresent()) {
      int target = replicas.get();
      changeBounds(spec, stableHpa.get(), (users, fixed) -> Held.users(users.shrunkTo(target)), "stable shrunk toward " + target);
    } else {
      changeBounds(spec, stableHpa.get(), Change.usersBack(), "stable scale given back");
    }
  }

  /**
   * The decorated {@code Workloads}' view, with each autoscaled revision marked as such, its current
   * bounds, and a desired count inside them (a raised minimum shows at once, before the autoscaler
   * has acted on it). Reads the autoscalers from the cache.
   */
  @Override
  public WorkloadState observe(CanarySpec spec, Revisions revisions) {
    WorkloadState state = delegate.observe(spec, revisions);
    RevisionState stable = withAutoscaler(state.stable(), stableHpa(spec, revisions));
    Optional<RevisionState> canary = state.canary().map(c -> withAutoscaler(c, canaryHpa(spec, revisions)));
    return new WorkloadState(stable, canary);
  }

  /**
   * Lets the decorated {@code Workloads} promote, then gives the stable autoscaler the new revision's
   * spec when one was given (metrics, behavior, bounds), else the user's bounds.
   */
  /**
   * The decorated {@code Workloads}' answer: a canary deleted, or scaled to 0 by someone else, is lost;
   * replica counts an autoscaler sets are not judged (the decorated adapter sees the autoscaler).
   */
  @Override
  public Optional<String> canaryLost(CanarySpec spec, Revisions revisions) {
    return delegate.canaryLost(spec, revisions);
  }

  @Override
  public void promote(CanarySpec spec, Revisions revisions) {
    delegate.promote(spec, revisions);
    Optional<HorizontalPodAutoscaler> stableHpa = stableHpa(spec, revisions);
    if (stableHpa.isEmpty()) {
      return;
    }
    Optional<HorizontalPodAutoscalerSpec> released = released(spec);
    if (released.isEmpty() || !spec.revision().createsCanaryWorkload()) {
      changeBounds(spec, stableHpa.get(), Change.usersBack(), "promoted");
      return;
    }
    HorizontalPodAutoscalerSpec changed = released.get();
    HorizontalPodAutoscaler written = hpas.edit(stableHpa.get(), hpa -> {
      // the released bounds become the user's: set them, and drop the ones kept from before
      Bounds.apply(hpa, Bounds.of(changed), Held.users(Bounds.of(changed)));
      hpa.getSpec().setMetrics(changed.getMetrics());
      hpa.getSpec().setBehavior(changed.getBehavior());
      return hpa;
    });
    LOG.info("rollout {}: {} now carries the promoted revision's autoscaler spec ({})",
        spec.key(), Hpas.describe(written), Bounds.of(written.getSpec()));
  }

  @Override
  public boolean promotionComplete(CanarySpec spec, Revisions revisions) {
    return delegate.promotionComplete(spec, revisions);
  }

  /**
   * Removes the autoscaler the rollout created for the canary first, so that nothing scales the canary
   * back up, gives the user's bounds back to every autoscaler the rollout changed, then lets the
   * decorated {@code Workloads} remove the canary. A user's autoscaler is never deleted.
   */
  @Override
  public void removeCanary(CanarySpec spec, Revisions revisions) {
    for (HorizontalPodAutoscaler created : hpas.labelled(spec.namespace(), CanaryHpas.labels(spec))) {
      hpas.delete(created);
      LOG.info("rollout {}: deleted {}", spec.key(), Hpas.describe(created));
    }
    canaryHpa(spec, revisions).ifPresent(hpa -> changeBounds(spec, hpa, Change.usersBack(), "rollout finished"));
    stableHpa(spec, revisions).ifPresent(hpa -> changeBounds(spec, hpa, Change.usersBack(), "rollout finished"));
    delegate.removeCanary(spec, revisions);
  }

  /** The decorated {@code Workloads}' watch, and the namespace's autoscalers of either revision. */
  @Override
  public AutoCloseable watch(CanarySpec spec, Revisions revisions, Runnable onChange) {
    String kind = spec.target().kind();
    AutoCloseable hpaWatch = hpas.watch(spec.namespace(), hpa -> {
      if (Hpas.targets(hpa, kind, revisions.stable().workload())
          || Hpas.targets(hpa, kind, revisions.canary().workload())) {
        onChange.run();
      }
    });
    AutoCloseable workloadWatch;
    try {
      workloadWatch = delegate.watch(spec, revisions, onChange);
    } catch (RuntimeException e) {
      closeQuietly(hpaWatch, e);
      throw e;
    }
    return () -> {
      try {
        hpaWatch.close();
      } finally {
        workloadWatch.close();
      }
    };
  }

  /**
   * Stops this instance's own autoscaler informers, if it has any (not those of a decorated
   * {@code KubernetesWorkloads}, nor the decorated {@code Workloads} itself); idempotent. Nothing in
   * the cluster changes.
   */
  @Override
  public void close() {
    ownInformers.ifPresent(AutoscalerInformers::close);
  }

  private Optional<HorizontalPodAutoscaler> stableHpa(CanarySpec spec, Revisions revisions) {
    return hpas.targeting(spec.namespace(), spec.target().kind(), revisions.stable().workload()).stream().findFirst();
  }

  private Optional<HorizontalPodAutoscaler> canaryHpa(CanarySpec spec, Revisions revisions) {
    return hpas.targeting(spec.namespace(), spec.target().kind(), revisions.canary().workload()).stream().findFirst();
  }

  /** The autoscaler spec released with the new revision, from the spec's scaling options. */
  private static Optional<HorizontalPodAutoscalerSpec> released(CanarySpec spec) {
    return spec.scaling().canaryAutoscaler().filter(HpaSettings.class::isInstance)
        .map(a -> ((HpaSettings) a).spec());
  }

  /** Sets the autoscaler to what {@code change} makes of the user's bounds, on its newest version. */
  private void changeBounds(CanarySpec spec, HorizontalPodAutoscaler hpa, Change change, String why) {
    Bounds before = Bounds.of(hpa.getSpec());
    HorizontalPodAutoscaler written = hpas.edit(hpa, latest -> {
      Bounds users = Bounds.usersOf(latest);
      return Bounds.apply(latest, users, change.apply(users, Bounds.fixedOf(latest)));
    });
    Bounds after = Bounds.of(written.getSpec());
    if (!after.equals(before)) {
      LOG.info("rollout {}: {} bounds {} -> {} ({})", spec.key(), Hpas.describe(written), before, after, why);
    }
  }

  private static RevisionState withAutoscaler(RevisionState state, Optional<HorizontalPodAutoscaler> hpa) {
    if (hpa.isEmpty()) {
      return state;
    }
    Bounds bounds = Bounds.of(hpa.get().getSpec());
    int desired = Math.min(Math.max(state.desired(), bounds.effectiveMin()), bounds.maxReplicas());
    return RevisionState.builder().from(state)
        .autoscaled(true)
        .minReplicas(bounds.effectiveMin())
        .maxReplicas(bounds.maxReplicas())
        .desired(desired)
        .build();
  }

  private static void closeQuietly(AutoCloseable closeable, RuntimeException failure) {
    try {
      closeable.close();
    } catch (Exception e) {
      failure.addSuppressed(e);
    }
  }
}
