package io.canary.core.spi;

import io.canary.core.CanarySpec;
import io.canary.core.Problem;
import java.util.List;
import java.util.function.Consumer;

/**
 * Splits traffic between the stable and canary revision. Small on purpose: users plug in their own.
 * Every call for one rollout comes from one thread at a time; calls for different rollouts may be
 * concurrent.
 */
public interface TrafficRouter {
  /**
   * Every problem with the routing objects the spec names (missing objects, routes, subsets,
   * destinations that do not match the strategy); empty when the rollout can start. Reads only.
   */
  List<Problem> validate(CanarySpec spec);

  /**
   * Makes the routing objects carry {@code desired}, changing only the fields the router owns, with
   * at most one write per routing object, guarded against concurrent edits (a conflict is re-read
   * and re-applied, never clobbered).
   */
  void apply(CanarySpec spec, RoutingState desired);

  /**
   * The weights of every managed route as the cluster holds them, as far as the router knows: a router
   * with watch caches answers from them (or from its own last write, while its cache has not seen it),
   * without a request.
   */
  List<RouteWeight> currentWeights(CanarySpec spec);

  /**
   * Whether the routing layer has taken up what the last {@link #apply} wrote for {@code applied}, from
   * what the router last saw (a watch cache: no API read per call). Routers whose routing layer reports
   * nothing confirm at once (the default).
   */
  default RoutingConfirmation confirmation(CanarySpec spec, RoutingState applied) {
    return RoutingConfirmation.confirmed();
  }

  /**
   * Calls {@code onChange} whenever a confirmation may have changed (the routing objects' status), until
   * closed. The default watches nothing.
   */
  default AutoCloseable watchConfirmation(CanarySpec spec, Runnable onChange) {
    return () -> {};
  }

  /**
   * Calls {@code onChange} with the weights of every managed route (as {@link #currentWeights} gives them)
   * whenever a routing object of the rollout changes, as the router's watch cache shows it, until closed:
   * the router's own writes included, so that the runner can tell drift (weights the rollout does not
   * own any more) from its own changes by comparing with what it last applied. The runner reads
   * {@link #currentWeights} once before it acts on a difference (a watch may lag behind a write). Called
   * from any thread; must not block.
   *
   * <p>The default watches nothing: weights changed by someone else are then not seen while the rollout
   * waits; the next step's {@link #apply} writes the rollout's weights over them, and a runner that
   * resumes the rollout reports and puts them back.
   */
  default AutoCloseable watchRouting(CanarySpec spec, Consumer<List<RouteWeight>> onChange) {
    return () -> {};
  }

  /** The routing objects as {@link #apply} would write them for {@code desired}, without writing. */
  default List<RenderedObject> render(CanarySpec spec, RoutingState desired) {
    return List.of();
  }
}
