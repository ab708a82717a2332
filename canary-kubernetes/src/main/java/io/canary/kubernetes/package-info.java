/**
 * The Canary SDK over Kubernetes: {@link io.canary.kubernetes.KubernetesWorkloads} (canary Deployments,
 * readiness by watch, promotion and clean-up), {@link io.canary.kubernetes.ConfigMapStateStore} (rollout
 * status in the cluster), {@link io.canary.kubernetes.KubernetesRunnerLeases} (one Lease per runner; its rollouts record it as their owner),
 * {@link io.canary.kubernetes.ConfigMapTargetClaims} (one release per target workload) and
 * {@link io.canary.kubernetes.KubernetesEventRecorder} (every transition as a Kubernetes Event).
 */
@io.canary.core.CanaryStyle
package io.canary.kubernetes;
