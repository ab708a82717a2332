package io.canary.istio.internal;

import io.canary.core.CanarySpec;
import io.canary.core.spi.RoutingConfirmation;
import io.canary.core.spi.RoutingState;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The opt-in confirmation of the Istio router: VirtualServices as a watch sees them (one informer per
 * namespace and API version, shared by the rollouts), judged by {@link ReconciledStatus}.
 */
public final class Reconciliation implements AutoCloseable {
  private final Router router;
  private final Map<String, SharedIndexInformer<GenericKubernetesResource>> informers = new ConcurrentHashMap<>();
  private final Map<ObjectRef, List<Runnable>> onChange = new ConcurrentHashMap<>();

  public Reconciliation(Router router) {
    this.router = router;
  }

  /**
   * The confirmation of {@code applied} (what this router wrote), or with none (a router that has not
   * written the rollout's VirtualServices yet) of the VirtualServices as they are.
   */
  public RoutingConfirmation confirmation(CanarySpec spec, Optional<RoutingState> applied) {
    RoutingConfirmation result = RoutingConfirmation.confirmed();
    for (ObjectRef ref : router.virtualServices(spec)) {
      Optional<GenericKubernetesResource> seen = seen(ref);
      boolean carries = seen.isPresent() && applied.map(a -> router.carries(spec, ref, seen.get(), a)).orElse(true);
      RoutingConfirmation one = ReconciledStatus.of(ref, seen, carries);
      if (one.state() == RoutingConfirmation.State.REFUSED) {
        return one;
      }
      if (result.state() == RoutingConfirmation.State.CONFIRMED) {
        result = one;
      }
    }
    return result;
  }

  public AutoCloseable watch(CanarySpec spec, Runnable listener) {
    List<ObjectRef> refs = router.virtualServices(spec);
    refs.forEach(ref -> {
      informer(ref);
      onChange.computeIfAbsent(ref, r -> new CopyOnWriteArrayList<>()).add(listener);
    });
    return () -> refs.forEach(ref -> onChange.getOrDefault(ref, List.of()).remove(listener));
  }

  private Optional<GenericKubernetesResource> seen(ObjectRef ref) {
    return informer(ref).map(i -> i.getStore().getByKey(ref.qualifiedName()));
  }

  private Optional<SharedIndexInformer<GenericKubernetesResource>> informer(ObjectRef ref) {
    return router.objects().servedAt(ref).map(version -> informers.computeIfAbsent(
        RoutingKind.apiVersionOf(version) + " " + ref.namespace(), key -> start(version, ref.namespace())));
  }

  private SharedIndexInformer<GenericKubernetesResource> start(ResourceDefinitionContext version, String namespace) {
    return router.objects().client().genericKubernetesResources(version).inNamespace(namespace).inform(new Changes(namespace), 0);
  }

  /** Every add, update and delete of a VirtualService of one namespace tells that VirtualService's listeners. */
  private final class Changes implements ResourceEventHandler<GenericKubernetesResource> {
    private final String namespace;

    Changes(String namespace) {
      this.namespace = namespace;
    }

    private void tell(GenericKubernetesResource vs) {
      onChange.getOrDefault(new ObjectRef(RoutingKind.VIRTUAL_SERVICE, namespace, vs.getMetadata().getName()), List.of())
          .forEach(Runnable::run);
    }

    @Override public void onAdd(GenericKubernetesResource vs) { tell(vs); }

    @Override public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource vs) { tell(vs); }

    @Override public void onDelete(GenericKubernetesResource vs, boolean finalStateUnknown) { tell(vs); }
  }

  @Override
  public void close() {
    onChange.clear();
    informers.values().forEach(SharedIndexInformer::stop);
    informers.clear();
  }
}
