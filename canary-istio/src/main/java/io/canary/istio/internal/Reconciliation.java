package io.canary.istio.internal;

import io.canary.core.CanarySpec;
import io.canary.core.spi.RoutingConfirmation;
import io.canary.core.spi.RoutingState;
import io.canary.client.InformerFaults;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
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
  /** How long the first list of a namespace's VirtualServices may take, failed attempts included. */
  private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(30);
  private final Router router;
  private final Map<String, SharedIndexInformer<GenericKubernetesResource>> informers = new ConcurrentHashMap<>();
  private final Map<ObjectRef, List<Runnable>> onChange = new ConcurrentHashMap<>();

  public Reconciliation(Router router) {
    this.router = router;
  }

  public RoutingConfirmation confirmation(CanarySpec spec, RoutingState applied) {
    RoutingConfirmation result = RoutingConfirmation.confirmed();
    for (ObjectRef ref : router.virtualServices(spec)) {
      Optional<GenericKubernetesResource> seen = seen(ref);
      RoutingConfirmation one = ReconciledStatus.of(ref, seen, seen.isPresent() && router.carries(spec, ref, seen.get(), applied));
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
    SharedIndexInformer<GenericKubernetesResource> informer =
        router.objects().client().genericKubernetesResources(version).inNamespace(namespace).runnableInformer(0);
    informer.addEventHandler(new Changes(namespace));
    // Lists and watches that fail are tried again for ever; a first list that does not come names why.
    return InformerFaults.startAndAwait(informer, "VirtualServices of " + namespace, SYNC_TIMEOUT);
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
