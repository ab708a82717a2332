package io.canary.core;

import io.canary.core.analysis.LifecyclePoint;
import io.canary.core.internal.SpecValidator;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.immutables.value.Value;

/**
 * A canary release: which workload, which new revision, how traffic is split, and the steps.
 * Immutable; {@link #builder()} validates the whole spec on {@code build()} and reports every problem
 * at once in a {@link CanaryValidationException}.
 *
 * <pre>{@code
 * CanarySpec spec = CanarySpec.builder()
 *     .name("rollouts-demo").namespace("istio-argo-rollouts")
 *     .target(WorkloadRef.deployment("rollouts-demo-deployment"))
 *     .revision(NewRevision.image("rollouts-demo", "argoproj/rollouts-demo:red"))
 *     .traffic(IstioStrategy.subsets("rollouts-demo-svc", "rollout-destrule",   // canary-istio
 *         VirtualServiceRef.of("rollouts-demo-vs2", "route-one")))
 *     .addSteps(Step.setWeight(20), Step.pause(), Step.setWeight(40), Step.pause(Duration.ofSeconds(10)))
 *     .build();
 * }</pre>
 */
@Value.Immutable
public abstract class CanarySpec {
  /** The rollout's name (DNS-1123 label); one rollout per name and namespace at a time. */
  public abstract String name();

  @Value.Default
  public String namespace() {
    return "default";
  }

  /** The stable workload. */
  public abstract WorkloadRef target();

  public abstract NewRevision revision();

  /** How traffic is split; a type of the router module's (canary-istio's {@code IstioStrategy}, say). */
  public abstract TrafficStrategy traffic();

  public abstract List<Step> steps();

  /** Analysis run in the background for the whole rollout; a failure aborts. */
  public abstract Optional<AnalysisSpec> analysis();

  /** Gates at points of the rollout's life (before it, before each traffic increase, before promotion...). */
  public abstract List<GateSpec> gates();

  @Value.Default
  public ScalingOptions scaling() {
    return ScalingOptions.defaults();
  }

  /** How long the old revision's pods stay after promotion before they are removed. */
  @Value.Default
  public Duration scaleDownDelay() {
    return Duration.ofSeconds(30);
  }

  /** How long the canary's pods stay after an abort (traffic is already on stable). */
  @Value.Default
  public Duration abortScaleDownDelay() {
    return Duration.ofSeconds(30);
  }

  /** The longest a step may wait for the replicas it needs before the rollout aborts. */
  @Value.Default
  public Duration progressDeadline() {
    return Duration.ofMinutes(10);
  }

  /**
   * What the rollout does when the weights it owns are changed by someone else while its steps run;
   * empty: the runner's ({@code CanaryRunner.Builder.driftPolicy}, by default {@link DriftPolicy#REVERT}).
   * Not part of the release's fingerprint: changing it does not make another release.
   */
  public abstract Optional<DriftPolicy> driftPolicy();

  /** The stable workload's maxSurge while it takes the new revision at promotion (count or percent). */
  public abstract Optional<String> maxSurge();

  /** The stable workload's maxUnavailable while it takes the new revision at promotion. */
  public abstract Optional<String> maxUnavailable();

  /** The gates of {@code point}, in the order given. */
  public List<GateSpec> gatesAt(LifecyclePoint point) {
    return gates().stream().filter(g -> g.point() == point).toList();
  }

  public RolloutKey key() {
    return RolloutKey.of(namespace(), name());
  }

  /** The names of every header and mirror route the steps manage, in first-use order. */
  @Value.Derived
  @Value.Auxiliary
  public Set<String> managedRouteNames() {
    Set<String> names = new LinkedHashSet<>();
    for (Step s : steps()) {
      if (s instanceof Step.SetHeaderRoute h) names.add(h.name());
      if (s instanceof Step.SetMirrorRoute m) names.add(m.name());
    }
    return names;
  }

  @Value.Check
  protected void check() {
    List<Problem> problems = SpecValidator.validate(this);
    if (!problems.isEmpty()) {
      throw new CanaryValidationException("CanarySpec " + namespace() + "/" + name(), problems);
    }
  }

  public static ImmutableCanarySpec.Builder builder() {
    return ImmutableCanarySpec.builder();
  }

  /** A copy to change one field: {@code CanarySpec.copyOf(spec).withSteps(...)}. */
  public static ImmutableCanarySpec copyOf(CanarySpec spec) {
    return ImmutableCanarySpec.copyOf(spec);
  }
}
