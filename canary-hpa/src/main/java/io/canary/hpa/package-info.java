/**
 * Canary releases whose replica counts belong to HorizontalPodAutoscalers:
 * {@link io.canary.hpa.HpaAwareWorkloads} decorates any {@link io.canary.core.spi.Workloads} and moves
 * autoscaler bounds where an autoscaler owns a workload, never its replicas.
 */
@io.canary.core.CanaryStyle
package io.canary.hpa;
