package io.canary.istio.internal;

import io.canary.client.InformerEvents;
import io.canary.client.InformerFaults;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * VirtualServices as a watch sees them: one informer per namespace and API version, shared by every
 * rollout of the router, started the first time a rollout watches one of that namespace's
 * VirtualServices; each add, update and delete tells the listeners of that VirtualService.
 */
public final class VirtualServiceWatch implements AutoCloseable {
  private final ClusterObjects objects;
  private static final Logger LOG = LoggerFactory.getLogger(VirtualServiceWatch.class);
  /** How long the first list of a namespace's VirtualServices is waited for before the rollout goes on. */
  private static final Duration FIRST_LIST_WAIT = Duration.ofSeconds(2);
  private final Map<String, SharedIndexInformer<GenericKubernetesResource>> informers = new ConcurrentHashMap<>();
  private final Map<ObjectRef, List<Runnable>> listeners = new ConcurrentHashMap<>();

  VirtualServiceWatch(ClusterObjects objects) {
    this.objects = objects;
  }

  /** Calls {@code listener} after every change of one of {@code refs}, until the handle is closed. */
  public AutoCloseable listen(Collection<ObjectRef> refs, Runnable listener) {
    List<ObjectRef> watched = List.copyOf(refs);
    watched.forEach(ref -> {
      listeners.computeIfAbsent(ref, r -> new CopyOnWriteArrayList<>()).add(listener);
      informer(ref);
    });
    return () -> watched.forEach(ref -> listeners.getOrDefault(ref, List.of()).remove(listener));
  }

  /** {@code ref} as the watch last saw it; empty before the watch holds it (or once it is deleted). */
  public Optional<GenericKubernetesResource> seen(ObjectRef ref) {
    return informer(ref).map(i -> i.getStore().getByKey(ref.qualifiedName()));
  }

  private Optional<SharedIndexInformer<GenericKubernetesResource>> informer(ObjectRef ref) {
    return objects.servedAt(ref).map(version -> informers.computeIfAbsent(
        RoutingKind.apiVersionOf(version) + " " + ref.namespace(), key -> start(version, ref.namespace())));
  }

  private SharedIndexInformer<GenericKubernetesResource> start(ResourceDefinitionContext version, String namespace) {
    SharedIndexInformer<GenericKubernetesResource> informer =
        objects.client().genericKubernetesResources(version).inNamespace(namespace).runnableInformer(0);
    informer.addEventHandler(InformerEvents.onEveryChange((vs, deleted) -> changed(namespace, vs)));
    // Lists and watches that fail are tried again for ever. The first list is waited for a moment only:
    // the watch serves drift and the opt-in Reconciled confirmation, and a rollout must not stand still
    // while a busy API server refuses it; until it has listed, neither sees anything.
    String what = "VirtualServices of " + namespace;
    InformerFaults faults = InformerFaults.keepUp(informer, what);
    try {
      faults.await(informer.start().toCompletableFuture(), FIRST_LIST_WAIT);
    } catch (KubernetesClientException e) {
      LOG.warn("{}; it goes on trying, and drift (and istiod's Reconciled status) is seen once it has listed them",
          e.getMessage());
    }
    return informer;
  }

  /** Every add, update and delete of a VirtualService of the namespace tells that VirtualService's listeners. */
  private void changed(String namespace, GenericKubernetesResource vs) {
    listeners.getOrDefault(new ObjectRef(RoutingKind.VIRTUAL_SERVICE, namespace, vs.getMetadata().getName()), List.of())
        .forEach(Runnable::run);
  }

  @Override
  public void close() {
    listeners.clear();
    informers.values().forEach(SharedIndexInformer::stop);
    informers.clear();
  }
}
