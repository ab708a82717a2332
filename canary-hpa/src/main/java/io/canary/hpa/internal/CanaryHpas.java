package io.canary.hpa.internal;

import io.canary.core.CanarySpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpecBuilder;
import java.util.Map;

/** The autoscaler the rollout creates for its canary workload, and how it is recognised again. */
public final class CanaryHpas {
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY = "canary-sdk";
  public static final String ROLLOUT_LABEL = "canary.io/rollout";
  public static final String CLONED_FROM_ANNOTATION = "canary.io/cloned-from";
  /** Kubernetes object names are DNS-1123 subdomains of at most this many characters. */
  public static final int MAX_NAME_LENGTH = 253;
  private static final String SUFFIX = "-canary";

  private CanaryHpas() {}

  public static String nameFor(HorizontalPodAutoscaler stableHpa) {
    return stableHpa.getMetadata().getName() + SUFFIX;
  }

  /** The labels that mark an autoscaler as created by the rollout (and so removed with it). */
  public static Map<String, String> labels(CanarySpec spec) {
    return Map.of(MANAGED_BY_LABEL, MANAGED_BY, ROLLOUT_LABEL, spec.name());
  }

  public static boolean managedBy(HorizontalPodAutoscaler hpa, CanarySpec spec) {
    Map<String, String> labels = hpa.getMetadata().getLabels();
    return labels != null && labels.entrySet().containsAll(labels(spec).entrySet());
  }

  /**
   * The canary's own autoscaler: {@code source}'s metrics and behavior with {@code bounds}, sizing
   * {@code kind/canaryWorkload}, so that the canary's pods are averaged apart from the stable ones.
   */
  public static HorizontalPodAutoscaler clone(CanarySpec spec, HorizontalPodAutoscaler stableHpa,
      HorizontalPodAutoscalerSpec source, Bounds bounds, String canaryWorkload) {
    HorizontalPodAutoscalerSpec cloned = new HorizontalPodAutoscalerSpecBuilder(source)
        .withMinReplicas(bounds.minReplicas())
        .withMaxReplicas(bounds.maxReplicas())
        .withNewScaleTargetRef()
          .withApiVersion(stableHpa.getSpec().getScaleTargetRef().getApiVersion())
          .withKind(stableHpa.getSpec().getScaleTargetRef().getKind())
          .withName(canaryWorkload)
        .endScaleTargetRef()
        .build();
    return new HorizontalPodAutoscalerBuilder()
        .withNewMetadata()
          .withName(nameFor(stableHpa))
          .withNamespace(spec.namespace())
          .withLabels(labels(spec))
          .addToAnnotations(CLONED_FROM_ANNOTATION, stableHpa.getMetadata().getName())
        .endMetadata()
        .withSpec(cloned)
        .build();
  }
}
