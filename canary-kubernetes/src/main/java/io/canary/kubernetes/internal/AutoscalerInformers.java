package io.canary.kubernetes.internal;

import io.canary.client.InformerFaults;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Autoscaler caches of their own, one informer per namespace started on first use and stopped by
 * {@link #close()}: for canary-hpa where the {@code Workloads} it decorates keeps none to share.
 *
 * <p>Not an API: public for canary-hpa only, and it may change in any release.
 */
public final class AutoscalerInformers implements AutoscalerCaches, AutoCloseable {
  private record Started(SharedIndexInformer<HorizontalPodAutoscaler> informer, NamespaceAutoscalers autoscalers,
      InformerFaults faults, CompletableFuture<Void> synced) {}

  private final KubernetesClient client;
  private final Duration syncTimeout;
  private final Map<String, Started> namespaces = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public AutoscalerInformers(KubernetesClient client, Duration syncTimeout) {
    this.client = client;
    this.syncTimeout = syncTimeout;
  }

  @Override
  public NamespaceAutoscalers in(String namespace) {
    if (closed) {
      throw new IllegalStateException("the autoscaler watches are closed; no namespace can be read any more");
    }
    Started started = namespaces.computeIfAbsent(namespace, ns -> {
      SharedIndexInformer<HorizontalPodAutoscaler> informer =
          client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).runnableInformer(0);
      NamespaceAutoscalers autoscalers = new NamespaceAutoscalers(ns, informer);
      InformerFaults faults = InformerFaults.keepUp(informer, "HorizontalPodAutoscalers of " + ns);
      return new Started(informer, autoscalers, faults, informer.start().toCompletableFuture().thenApply(x -> null));
    });
    try {
      Informers.awaitSynced(started.synced(), namespace, syncTimeout, "HorizontalPodAutoscalers",
          () -> started.faults().lastFailure());
      return started.autoscalers();
    } catch (RuntimeException e) {
      namespaces.remove(namespace, started);
      started.informer().close();
      throw e;
    }
  }

  /** Stops every informer; idempotent. Nothing in the cluster changes. */
  @Override
  public void close() {
    closed = true;
    namespaces.values().forEach(s -> s.informer().close());
    namespaces.clear();
  }
}
