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

  /**
   * The confirmation of {@code applied} (what this router wrote), or with none (a router that has not
   * written the rollout's VirtualServices yet) of the VirtualServices as they are.
   */
  public RoutingConfirmation confirmation(CanarySpec spec, Optional<RoutingState> applied) {
    RoutingConfirmation result = RoutingConfirmation.confirmed();
    for (ObjectRef ref : router.virtualServices(spec)) {
      Optional<GenericKubernetesResource> seen = router.watch().seen(ref);
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
    return router.watch().listen(router.virtualServices(spec), listener);
  }
}
