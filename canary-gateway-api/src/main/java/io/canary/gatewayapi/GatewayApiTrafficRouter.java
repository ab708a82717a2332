package io.canary.gatewayapi;

import io.canary.client.FieldManager;
import io.canary.core.CanarySpec;
import io.canary.core.Problem;
import io.canary.core.spi.RenderedObject;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingConfirmation;
import io.canary.core.spi.RoutingState;
import io.canary.core.spi.TrafficRouter;
import io.canary.gatewayapi.internal.Confirmations;
import io.canary.gatewayapi.internal.Router;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.function.Consumer;
import java.util.Objects;

/**
 * A {@link TrafficRouter} over Gateway API HTTPRoutes and GRPCRoutes: it weighs one rule's
 * {@code backendRefs} between a stable and a canary Service, narrows each Service's selector to its
 * revision's pods, and places the managed header and mirror rules. It changes only those fields, with
 * at most one write per object per change, guarded by the object's resourceVersion, and none when the
 * object already carries the change; a weight counts as applied once every parent of the route
 * confirms it in the route's status (see {@link ConfirmationPolicy}).
 *
 * <p>Routes and Services are read from informers (one per route kind and namespace, one per namespace
 * of the Services, shared by all the router's rollouts; they need the list and watch verbs): the steady
 * state sends no GET. A write is built on the cached copy, or on the copy the router's own last write
 * returned while the informer has not caught up with it; a 409 (someone else wrote it since) is
 * answered by one GET and the owned fields set again on the fresh copy. An object no informer holds yet
 * is read once with a GET, and so is one the cached copy of which does not fit the rollout, before that
 * is reported.
 *
 * <pre>{@code
 * GatewayApiTrafficRouter router = GatewayApiTrafficRouter.create(kubernetesClient);
 * GatewayApiTrafficRouter lenient = GatewayApiTrafficRouter.builder(kubernetesClient)
 *     .confirmation(ConfirmationPolicy.WARN).conflictRetries(10).build();
 * }</pre>
 *
 * Close it when done: it stops the informers its reads and confirmations use.
 */
public final class GatewayApiTrafficRouter implements TrafficRouter, AutoCloseable {
  /** How often a write that met a concurrent edit is re-read and re-applied before giving up. */
  public static final int DEFAULT_CONFLICT_RETRIES = 5;

  private final Router router;
  private final Confirmations confirmations;

  private GatewayApiTrafficRouter(Builder builder) {
    this.router = Router.create(builder.client, builder.conflictRetries);
    this.confirmations = Confirmations.create(router, builder.confirmation);
  }

  /** The options, then {@link Builder#build()}; the client is the host's (it picks the HTTP implementation). */
  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  /** A router with the default options: confirmation required, 5 conflict retries. */
  public static GatewayApiTrafficRouter create(KubernetesClient client) {
    return builder(client).build();
  }

  /** Reads only: every problem of the routes and Services the spec names, empty when the rollout can start. */
  @Override
  public List<Problem> validate(CanarySpec spec) {
    return router.validate(spec);
  }

  /** The routes and Services as {@link #apply} would leave them, in the order it writes them; nothing is written. */
  @Override
  public List<RenderedObject> render(CanarySpec spec, RoutingState desired) {
    return router.render(spec, desired);
  }

  /**
   * Writes each route and Service whose owned fields differ from {@code desired}, once, guarded by its
   * resourceVersion; a {@code CanaryValidationException} (nothing written) when one no longer fits the
   * rollout, a {@code CanaryException} when concurrent edits outlast the conflict retries.
   */
  @Override
  public void apply(CanarySpec spec, RoutingState desired) {
    router.apply(spec, desired);
    confirmations.applied(spec, desired);
  }

  /**
   * Confirmed once every route the watch shows carries {@code applied} and every parent says
   * {@code Accepted=True} and {@code ResolvedRefs=True} for its generation; refused, with the parent's
   * reason and message, when one says False; pending otherwise. Always confirmed under WARN and OFF.
   * Routes this router has not written for the rollout yet (a resumed runner) are judged as they are:
   * their parents only.
   */
  @Override
  public RoutingConfirmation confirmation(CanarySpec spec, RoutingState applied) {
    return confirmations.confirmation(spec, applied);
  }

  /** {@code onChange} runs on the watch's thread after every change of one of the rollout's routes. */
  @Override
  public AutoCloseable watchConfirmation(CanarySpec spec, Runnable onChange) {
    return confirmations.watchConfirmation(spec, onChange);
  }

  /**
   * The weights of each managed rule as the router's informers hold them (or its own last write, while
   * they have not caught up with it), as percent of the stable and canary weights: a change by someone
   * else shows once the watch has delivered it.
   */
  @Override
  public List<RouteWeight> currentWeights(CanarySpec spec) {
    return router.currentWeights(spec);
  }

  /**
   * The weights of the rollout's routes after every change of one of them, from the route watch (one
   * informer per route kind and namespace, shared with the confirmations), whatever the confirmation
   * policy: weights changed by someone else are seen while the rollout waits.
   */
  @Override
  public AutoCloseable watchRouting(CanarySpec spec, Consumer<List<RouteWeight>> onChange) {
    return confirmations.watchWeights(spec, onChange);
  }

  /** Stops the informers of routes and Services. */
  @Override
  public void close() {
    confirmations.close();
  }

  /** Options of a {@link GatewayApiTrafficRouter}. */
  public static final class Builder {
    private final KubernetesClient client;
    private int conflictRetries = DEFAULT_CONFLICT_RETRIES;
    private ConfirmationPolicy confirmation = ConfirmationPolicy.REQUIRE;

    private Builder(KubernetesClient client) {
      this.client = FieldManager.client(Objects.requireNonNull(client, "client"));
    }

    /** How often a write that met another writer's edit is read again and retried before the change fails (default 5). */
    public Builder conflictRetries(int retries) {
      if (retries >= 0) {
        this.conflictRetries = retries;
        return this;
      }
      throw new IllegalArgumentException("GatewayApiTrafficRouter.conflictRetries must be 0 or more, was " + retries);
    }

    /** The policy of rollouts whose strategy sets none (default {@link ConfirmationPolicy#REQUIRE}). */
    public Builder confirmation(ConfirmationPolicy policy) {
      this.confirmation = Objects.requireNonNull(policy, "confirmation");
      return this;
    }

    public GatewayApiTrafficRouter build() {
      return new GatewayApiTrafficRouter(this);
    }
  }
}
