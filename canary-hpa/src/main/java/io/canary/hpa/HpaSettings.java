package io.canary.hpa;

import io.canary.core.CanaryAutoscaler;
import io.canary.core.Problem;
import io.canary.kubernetes.internal.CanonicalJson;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpecBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The autoscaling/v2 HorizontalPodAutoscaler released with the new revision of one rollout, given in
 * the spec's scaling options: the canary's autoscaler uses its metrics, behavior and bounds, and
 * promotion carries them to the stable workload's autoscaler. Its {@code scaleTargetRef} is ignored:
 * the SDK sets it.
 *
 * <pre>{@code
 * CanarySpec.builder()...
 *     .scaling(ScalingOptions.builder().canaryAutoscaler(HpaSettings.of(new HorizontalPodAutoscalerSpecBuilder()
 *         .withMinReplicas(3).withMaxReplicas(9)
 *         .addNewMetric().withType("Resource").withNewResource().withName("cpu")
 *           .withNewTarget().withType("Utilization").withAverageUtilization(40).endTarget()
 *         .endResource().endMetric()
 *         .build())).build())
 * }</pre>
 */
public final class HpaSettings implements CanaryAutoscaler {
  private final HorizontalPodAutoscalerSpec spec;

  private HpaSettings(HorizontalPodAutoscalerSpec spec) {
    this.spec = spec;
  }

  /** The settings of {@code spec} (copied: later changes to it do not count). */
  public static HpaSettings of(HorizontalPodAutoscalerSpec spec) {
    Objects.requireNonNull(spec, "spec");
    return new HpaSettings(new HorizontalPodAutoscalerSpecBuilder(spec).withScaleTargetRef(null).build());
  }

  /** A copy of the autoscaler spec, without a scaleTargetRef. */
  public HorizontalPodAutoscalerSpec spec() {
    return new HorizontalPodAutoscalerSpecBuilder(spec).build();
  }

  @Override
  public String kind() {
    return "HorizontalPodAutoscaler";
  }

  @Override
  public List<Problem> validate() {
    List<Problem> problems = new ArrayList<>();
    Integer max = spec.getMaxReplicas();
    Integer min = spec.getMinReplicas();
    if (max == null || max < 1) {
      problems.add(Problem.of("maxReplicas", "is " + max + "; must be at least 1"));
    }
    if (min != null && min < 1) {
      problems.add(Problem.of("minReplicas", "is " + min + "; must be at least 1 (or unset, meaning 1)"));
    }
    if (min != null && max != null && min > max) {
      problems.add(Problem.of("minReplicas", "is " + min + ", above maxReplicas " + max + "; must be at most maxReplicas"));
    }
    return problems;
  }

  /** The spec as JSON with its keys sorted at every level and empty values left out. */
  @Override
  public String canonicalForm() {
    return CanonicalJson.of(spec);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof HpaSettings settings && settings.spec.equals(spec);
  }

  @Override
  public int hashCode() {
    return spec.hashCode();
  }

  @Override
  public String toString() {
    return "HpaSettings" + canonicalForm();
  }
}
