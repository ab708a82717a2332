package io.canary.istio.internal;

import io.canary.core.CanarySpec;
import io.canary.core.spi.RoutingConfirmation;
import io.canary.core.spi.RoutingState;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.Optional;

/**
 * The opt-in confirmation of the Istio router: VirtualServices as the router's watch sees them, judged by
 * {@link ReconciledStatus}.
 */
public final class Reconciliation {
  private final Router router;

  public Reconciliation(Router router) {
    this.router = router;
  }

  public RoutingConfirmation confirmation(CanarySpec spec, RoutingState applied) {
    RoutingConfirmation result = RoutingConfirmation.confirmed();
    for (ObjectRef ref : router.virtualServices(spec)) {
      Optional<GenericKubernetesResource> seen = router.watch().seen(ref);
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
    return router.watch().listen(router.virtualServices(spec), listener);
  }
}
