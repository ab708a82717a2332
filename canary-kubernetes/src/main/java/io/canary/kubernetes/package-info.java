/**
 * The Canary SDK over Kubernetes: {@link io.canary.kubernetes.KubernetesWorkloads} (canary Deployments,
 * readiness by watch, promotion and clean-up), {@link io.canary.kubernetes.ConfigMapStateStore} (rollout
 * status in the cluster), {@link io.canary.kubernetes.LeaseRolloutLock} (one driver per rollout),
 * {@link io.canary.kubernetes.ConfigMapTargetClaims} (one release per target workload) and
 * {@link io.canary.kubernetes.KubernetesEventRecorder} (every transition as a Kubernetes Event).
 */
@io.canary.core.CanaryStyle
package io.canary.kubernetes;
