package io.canary.hpa.internal;

import io.canary.core.CanarySpec;
import io.canary.kubernetes.CanaryLabels;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpecBuilder;
import java.util.Map;

/** The autoscaler the rollout creates for its canary workload, and how it is recognised again. */
public final class CanaryHpas {
  /** Kubernetes object names are DNS-1123 subdomains of at most this many characters. */
  public static final int MAX_NAME_LENGTH = 253;
  private static final String SUFFIX = "-canary";

  private CanaryHpas() {}

  public static String nameFor(HorizontalPodAutoscaler stableHpa) {
    return stableHpa.getMetadata().getName() + SUFFIX;
  }

  /** The labels that mark an autoscaler as created by the rollout (and so removed with it). */
  public static Map<String, String> labels(CanarySpec spec) {
    return CanaryLabels.forRollout(spec.name());
  }

  public static boolean managedBy(HorizontalPodAutoscaler hpa, CanarySpec spec) {
    return CanaryLabels.createdFor(hpa, spec.name());
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
          .addToAnnotations(CanaryLabels.CLONED_FROM, stableHpa.getMetadata().getName())
        .endMetadata()
        .withSpec(cloned)
        .build();
  }
}
