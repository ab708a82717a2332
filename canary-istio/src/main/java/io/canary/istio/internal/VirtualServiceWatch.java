package io.canary.istio.internal;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * VirtualServices as a watch sees them: the router's own informers (one per namespace and API version,
 * shared by every rollout of the router, the ones its reads come from), started the first time a
 * rollout uses one of that namespace's VirtualServices; each add, update and delete tells the listeners
 * of that VirtualService.
 */
public final class VirtualServiceWatch implements AutoCloseable {
  private final ClusterObjects objects;
  private final Map<ObjectRef, List<Runnable>> listeners = new ConcurrentHashMap<>();

  VirtualServiceWatch(ClusterObjects objects) {
    this.objects = objects;
    objects.onChange(this::changed);
  }

  /** Calls {@code listener} after every change of one of {@code refs}, until the handle is closed. */
  public AutoCloseable listen(Collection<ObjectRef> refs, Runnable listener) {
    List<ObjectRef> watched = List.copyOf(refs);
    watched.forEach(ref -> {
      listeners.computeIfAbsent(ref, r -> new CopyOnWriteArrayList<>()).add(listener);
      objects.informer(ref);
    });
    return () -> watched.forEach(ref -> listeners.getOrDefault(ref, List.of()).remove(listener));
  }

  /** {@code ref} as the watch last saw it; empty before the watch holds it (or once it is deleted). */
  public Optional<GenericKubernetesResource> seen(ObjectRef ref) {
    return objects.cached(ref);
  }

  /** Every add, update and delete of a VirtualService tells that VirtualService's listeners. */
  private void changed(ObjectRef ref) {
    if (ref.kind() == RoutingKind.VIRTUAL_SERVICE) {
      listeners.getOrDefault(ref, List.of()).forEach(Runnable::run);
    }
  }

  @Override
  public void close() {
    listeners.clear();
  }
}
