package io.canary.hpa;

import io.canary.core.CanarySpec;
import io.canary.core.Problem;
import io.canary.core.Revisions;
import io.canary.core.RolloutKey;
import io.canary.core.spi.RevisionState;
import io.canary.core.spi.WorkloadState;
import io.canary.core.spi.Workloads;
import io.canary.hpa.internal.Bounds;
import io.canary.hpa.internal.CanaryHpas;
import io.canary.hpa.internal.HpaProblems;
import io.canary.hpa.internal.Hpas;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
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
 *       (metrics, behavior, bounds) or from the changed spec given for the rollout, starting at its
 *       minimum.
 *   <li>Pre-scaling raises the canary autoscaler's minimum; once the weight has moved the minimum goes
 *       back to the user's and the autoscaler decides.
 *   <li>Dynamic stable scale lowers the stable autoscaler's maximum; workloads without an autoscaler
 *       are scaled by the decorated {@code Workloads}.
 *   <li>The user's bounds are kept on the autoscaler itself (annotation
 *       {@value Bounds#ORIGINAL_BOUNDS_ANNOTATION}) while changed, so any runner can give them back.
 * </ul>
 *
 * <pre>{@code
 * Workloads workloads = HpaAwareWorkloads.builder()
 *     .client(client)
 *     .delegate(kubernetesWorkloads)
 *     .canaryHpa(spec.key(), newHpaSpec)   // optional: the autoscaler released with the new revision
 *     .build();
 * }</pre>
 */
public final class HpaAwareWorkloads implements Workloads {
  private static final Logger LOG = LoggerFactory.getLogger(HpaAwareWorkloads.class);

  private final Workloads delegate;
  private final Hpas hpas;
  private final Map<RolloutKey, HorizontalPodAutoscalerSpec> canaryHpaSpecs;

  private HpaAwareWorkloads(Builder builder) {
    this.delegate = builder.delegate;
    this.hpas = new Hpas(builder.client);
    this.canaryHpaSpecs = Map.copyOf(builder.canaryHpaSpecs);
  }

  /** Decorates {@code delegate}, reading and writing autoscalers through {@code client}. */
  public static HpaAwareWorkloads wrap(KubernetesClient client, Workloads delegate) {
    return builder().client(client).delegate(delegate).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public List<Problem> validate(CanarySpec spec) {
    List<Problem> problems = new ArrayList<>(delegate.validate(spec));
    problems.addAll(HpaProblems.of(spec, hpas, Optional.ofNullable(canaryHpaSpecs.get(spec.key()))));
    return problems;
  }

  @Override
  public Revisions previewRevisions(CanarySpec spec) {
    return delegate.previewRevisions(spec);
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
    Optional<HorizontalPodAutoscalerSpec> changed = Optional.ofNullable(canaryHpaSpecs.get(spec.key()));
    HorizontalPodAutoscalerSpec source = changed.orElse(stableHpa.get().getSpec());
    Bounds bounds = changed.map(Bounds::of).orElseGet(() -> Bounds.usersOf(stableHpa.get()));
    delegate.scaleCanary(spec, revisions, bounds.effectiveMin());
    HorizontalPodAutoscaler created = hpas.create(CanaryHpas.clone(
        spec, stableHpa.get(), source, bounds, revisions.canary().workload()));
    LOG.info("rollout {}: created {} for canary {} ({}{})", spec.key(), Hpas.describe(created),
        revisions.canary().workload(), bounds, changed.isPresent() ? ", the new revision's spec" : "");
    return revisions;
  }

  /**
   * With an autoscaler on the canary, raises its minimum to {@code replicas} (capped by the scaling
   * options' pre-scale cap and the autoscaler's maximum; nothing when pre-scaling is off). Without
   * one, the decorated {@code Workloads} sets the replicas.
   */
  @Override
  public void scaleCanary(CanarySpec spec, Revisions revisions, int replicas) {
    Optional<HorizontalPodAutoscaler> canaryHpa = canaryHpa(spec, revisions);
    if (canaryHpa.isEmpty()) {
      delegate.scaleCanary(spec, revisions, replicas);
      return;
    }
    if (!spec.scaling().preScale()) {
      LOG.info("rollout {}: pre-scaling is off; {} sizes the canary", spec.key(), Hpas.describe(canaryHpa.get()));
      return;
    }
    changeBounds(spec, canaryHpa.get(), users -> users.preScaledTo(replicas, spec.scaling().preScaleCap()),
        "pre-scaled for " + replicas + " canary replicas");
  }

  /** The weight has moved: the canary autoscaler's minimum goes back to the user's. */
  @Override
  public void trafficShifted(CanarySpec spec, Revisions revisions, int canaryWeight) {
    delegate.trafficShifted(spec, revisions, canaryWeight);
    canaryHpa(spec, revisions).ifPresent(hpa ->
        changeBounds(spec, hpa, UnaryOperator.identity(), "traffic at " + canaryWeight + "%, autoscaler decides"));
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
      changeBounds(spec, stableHpa.get(), users -> users.shrunkTo(target), "stable shrunk toward " + target);
    } else {
      changeBounds(spec, stableHpa.get(), UnaryOperator.identity(), "stable scale given back");
    }
  }

  /**
   * The decorated {@code Workloads}' view, with each autoscaled revision marked as such, its current
   * bounds, and a desired count inside them (a raised minimum shows at once, before the autoscaler
   * has acted on it). Reads the autoscalers from the watch cache.
   */
  @Override
  public WorkloadState observe(CanarySpec spec, Revisions revisions) {
    WorkloadState state = delegate.observe(spec, revisions);
    String kind = spec.target().kind();
    RevisionState stable = withAutoscaler(state.stable(),
        first(hpas.targetingCached(spec.namespace(), kind, revisions.stable().workload())));
    Optional<RevisionState> canary = state.canary().map(c -> withAutoscaler(c,
        first(hpas.targetingCached(spec.namespace(), kind, revisions.canary().workload()))));
    return new WorkloadState(stable, canary);
  }

  /**
   * Lets the decorated {@code Workloads} promote, then gives the stable autoscaler the new revision's
   * spec when one was given (metrics, behavior, bounds), else the user's bounds.
   */
  @Override
  public void promote(CanarySpec spec, Revisions revisions) {
    delegate.promote(spec, revisions);
    Optional<HorizontalPodAutoscaler> stableHpa = stableHpa(spec, revisions);
    if (stableHpa.isEmpty()) {
      return;
    }
    HorizontalPodAutoscalerSpec changed = canaryHpaSpecs.get(spec.key());
    if (changed == null || !spec.revision().createsCanaryWorkload()) {
      changeBounds(spec, stableHpa.get(), UnaryOperator.identity(), "promoted");
      return;
    }
    HorizontalPodAutoscaler written = hpas.edit(stableHpa.get(), hpa -> {
      // the released bounds become the user's: set them, and drop the ones kept from before
      Bounds.apply(hpa, Bounds.of(changed), Bounds.of(changed));
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
    canaryHpa(spec, revisions).ifPresent(hpa ->
        changeBounds(spec, hpa, UnaryOperator.identity(), "rollout finished"));
    stableHpa(spec, revisions).ifPresent(hpa ->
        changeBounds(spec, hpa, UnaryOperator.identity(), "rollout finished"));
    delegate.removeCanary(spec, revisions);
  }

  /** The decorated {@code Workloads}' watch, and a watch on the namespace's autoscalers. */
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

  private Optional<HorizontalPodAutoscaler> stableHpa(CanarySpec spec, Revisions revisions) {
    return first(hpas.targetingFresh(spec.namespace(), spec.target().kind(), revisions.stable().workload()));
  }

  private Optional<HorizontalPodAutoscaler> canaryHpa(CanarySpec spec, Revisions revisions) {
    return first(hpas.targetingFresh(spec.namespace(), spec.target().kind(), revisions.canary().workload()));
  }

  /** Sets the autoscaler's bounds to {@code target} applied to the user's bounds, read on its newest version. */
  private void changeBounds(CanarySpec spec, HorizontalPodAutoscaler hpa, UnaryOperator<Bounds> target, String why) {
    Bounds before = Bounds.of(hpa.getSpec());
    HorizontalPodAutoscaler written = hpas.edit(hpa, latest -> {
      Bounds users = Bounds.usersOf(latest);
      return Bounds.apply(latest, users, target.apply(users));
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

  private static Optional<HorizontalPodAutoscaler> first(List<HorizontalPodAutoscaler> hpas) {
    return hpas.stream().findFirst();
  }

  private static void closeQuietly(AutoCloseable closeable, RuntimeException failure) {
    try {
      closeable.close();
    } catch (Exception e) {
      failure.addSuppressed(e);
    }
  }

  /** Builds an {@link HpaAwareWorkloads}; {@code client} and {@code delegate} are required. */
  public static final class Builder {
    private KubernetesClient client;
    private Workloads delegate;
    private final Map<RolloutKey, HorizontalPodAutoscalerSpec> canaryHpaSpecs = new HashMap<>();

    private Builder() {}

    /** The host's client, in whose namespaces the rollouts run. */
    public Builder client(KubernetesClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /** The {@code Workloads} that creates, scales, promotes and removes the workloads themselves. */
    public Builder delegate(Workloads delegate) {
      this.delegate = Objects.requireNonNull(delegate, "delegate");
      return this;
    }

    /**
     * The autoscaler spec released with the new revision of rollout {@code rollout}: the canary's
     * autoscaler uses it (its scaleTargetRef is replaced by the canary workload) and promotion carries
     * its metrics, behavior and bounds to the stable autoscaler. Checked by {@code validate}.
     */
    public Builder canaryHpa(RolloutKey rollout, HorizontalPodAutoscalerSpec spec) {
      Objects.requireNonNull(rollout, "rollout");
      Objects.requireNonNull(spec, "spec");
      canaryHpaSpecs.put(rollout, new HorizontalPodAutoscalerSpecBuilder(spec).build());
      return this;
    }

    public HpaAwareWorkloads build() {
      if (client == null) {
        throw new IllegalStateException("HpaAwareWorkloads.builder(): client is required (the host's KubernetesClient)");
      }
      if (delegate == null) {
        throw new IllegalStateException(
            "HpaAwareWorkloads.builder(): delegate is required (the Workloads that manages the Deployments)");
      }
      return new HpaAwareWorkloads(this);
    }
  }
}
