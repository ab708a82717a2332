package io.canary.core;

import java.util.List;

/**
 * The autoscaler released with the new revision: it sizes the canary during the rollout and becomes
 * the stable revision's at promotion. The type is open, like {@link TrafficStrategy}: each
 * autoscaler-aware {@link io.canary.core.spi.Workloads} module defines the settings it applies
 * (canary-hpa's {@code HpaSettings.of(horizontalPodAutoscalerSpec)}) and its {@code validate} refuses
 * settings it does not know. Core only asks what every such setting can say about itself.
 */
public interface CanaryAutoscaler {
  /** A short name for people, for example {@code HorizontalPodAutoscaler}. */
  String kind();

  /**
   * Every problem with the settings' own fields, without reading a cluster. Each problem's
   * {@code where} is relative to the settings ({@code maxReplicas}); the spec's validation reports it
   * under {@code scaling.canaryAutoscaler.}.
   */
  default List<Problem> validate() {
    return List.of();
  }

  /**
   * The settings as canonical text: equal settings give equal text in every process and library
   * version, since they are part of the release's fingerprint. Build it from the fields explicitly,
   * never from {@code toString()}.
   */
  String canonicalForm();
}
