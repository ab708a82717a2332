package io.canary.istio;

import io.canary.core.CanarySpec;
import io.canary.core.Problem;
import io.canary.core.spi.RenderedObject;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingState;
import io.canary.core.spi.TrafficRouter;
import io.canary.istio.internal.Router;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Objects;

/**
 * A {@link TrafficRouter} over Istio VirtualServices and DestinationRules (subset strategy) or a
 * stable and a canary Service (service strategy). It changes only the fields it owns: the weights of
 * the stable and canary destinations of the managed routes, the managed header and mirror routes, and
 * the label keys it adds to subsets or selectors. Each object is read and written at the API version
 * it is served at, with one write per object per change, guarded by its resourceVersion.
 *
 * <pre>{@code
 * TrafficRouter router = IstioTrafficRouter.create(kubernetesClient);
 * TrafficRouter patient = IstioTrafficRouter.builder(kubernetesClient).conflictRetries(10).build();
 * }</pre>
 */
public final class IstioTrafficRouter implements TrafficRouter {
  /** How often a write that met a concurrent edit is re-read and re-applied before giving up. */
  public static final int DEFAULT_CONFLICT_RETRIES = 5;

  private final Router router;

  private IstioTrafficRouter(Builder builder) {
    this.router = new Router(builder.client, builder.conflictRetries);
  }

  /** A router with the default options, over the host's client (which picks the HTTP implementation). */
  public static IstioTrafficRouter create(KubernetesClient client) {
    return builder(client).build();
  }

  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  @Override
  public List<Problem> validate(CanarySpec spec) {
    return router.validate(spec);
  }

  /**
   * @throws io.canary.core.CanaryValidationException when an object no longer fits the rollout (nothing written)
   * @throws io.canary.core.CanaryException when concurrent edits outlast the conflict retries
   */
  @Override
  public void apply(CanarySpec spec, RoutingState desired) {
    router.apply(spec, desired);
  }

  /**
   * @throws io.canary.core.CanaryValidationException when a VirtualService or one of its managed routes
   *     no longer fits the rollout (the problems say what changed)
   */
  @Override
  public List<RouteWeight> currentWeights(CanarySpec spec) {
    return router.currentWeights(spec);
  }

  /** Every routing object of the rollout as {@link #apply} would leave it, in write order. */
  @Override
  public List<RenderedObject> render(CanarySpec spec, RoutingState desired) {
    return router.render(spec, desired);
  }

  /** Options of an {@link IstioTrafficRouter}. */
  public static final class Builder {
    private final KubernetesClient client;
    private int conflictRetries = DEFAULT_CONFLICT_RETRIES;

    private Builder(KubernetesClient client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    /** Re-reads after a conflicting write before the change fails; at least 0 (default 5). */
    public Builder conflictRetries(int retries) {
      if (retries < 0) {
        throw new IllegalArgumentException("conflictRetries must be at least 0, was " + retries);
      }
      this.conflictRetries = retries;
      return this;
    }

    public IstioTrafficRouter build() {
      return new IstioTrafficRouter(this);
    }
  }
}
