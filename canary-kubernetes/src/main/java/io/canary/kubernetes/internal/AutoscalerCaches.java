package io.canary.kubernetes.internal;

/**
 * Where the autoscaler cache of a namespace is found: one {@link NamespaceAutoscalers} per namespace,
 * started and filled on first use. {@code KubernetesWorkloads} shares the caches of its readiness
 * watches this way, and {@link AutoscalerInformers} keeps caches of its own for canary-hpa when it
 * decorates another {@code Workloads}.
 *
 * <p>Not an API: public for canary-hpa only, and it may change in any release.
 */
@FunctionalInterface
public interface AutoscalerCaches {
  /** The namespace's autoscalers, with the cache filled. */
  NamespaceAutoscalers in(String namespace);
}
