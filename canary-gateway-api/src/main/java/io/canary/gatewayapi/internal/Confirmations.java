package io.canary.gatewayapi.internal;

import io.canary.core.CanarySpec;
import io.canary.core.RolloutKey;
import io.canary.core.spi.RoutingConfirmation;
import io.canary.core.spi.RoutingState;
import io.canary.gatewayapi.ConfirmationPolicy;
import io.canary.gatewayapi.GatewayApiStrategy;
import io.canary.core.spi.RouteWeight;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The confirmation of a rollout's routes under its policy, from the watch cache: no API read per call.
 * Under {@link ConfirmationPolicy#WARN} a change is confirmed at once, and a parent that refuses it
 * is logged (once per refusal) when the watch sees it.
 */
public final class Confirmations implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Confirmations.class);

  private final Router router;
  private final RouteStatusWatch watch;
  private final ConfirmationPolicy defaultPolicy;
  private final Map<RolloutKey, AutoCloseable> warnings = new ConcurrentHashMap<>();
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  /** The rollouts this router has written the routes of: their confirmation is of what it wrote. */
  private final Set<RolloutKey> written = ConcurrentHashMap.newKeySet();

  private Confirmations(Router router, RouteStatusWatch watch, ConfirmationPolicy defaultPolicy) {
    this.router = router;
    this.watch = watch;
    this.defaultPolicy = defaultPolicy;
  }

  public static Confirmations create(Router router, ConfirmationPolicy defaultPolicy) {
    return new Confirmations(router, new RouteStatusWatch(router.objects()), defaultPolicy);
  }

  ConfirmationPolicy policy(CanarySpec spec) {
    return spec.traffic() instanceof GatewayApiStrategy s ? s.confirmation().orElse(defaultPolicy) : defaultPolicy;
  }

  /** Called after each apply: the watch is warm by the time the runner asks, and WARN listens for refusals. */
  public void applied(CanarySpec spec, RoutingState applied) {
    written.add(spec.key());
    ConfirmationPolicy policy = policy(spec);
    if (policy == ConfirmationPolicy.OFF) {
      return;
    }
    List<RouteFields> routes = router.routeFields(spec);
    watch.watch(routes.stream().map(RouteFields::key).toList());
    if (policy == ConfirmationPolicy.WARN) {
      AutoCloseable listener = watch.onChange(routes.stream().map(RouteFields::key).toList(), () -> warnIfRefused(routes, applied));
      close(warnings.put(spec.key(), listener));
      warnIfRefused(routes, applied);
    }
  }

  /**
   * Whether the routes carry what this router last wrote for the rollout and their parents accepted
   * them. For a rollout whose routes this router has not written (a runner that resumed it), the routes
   * as they are: the last write was another runner's, which may have died between its write and the
   * status save that follows, leaving the routes a step ahead of {@code applied}. Waiting for them to
   * carry {@code applied} would wait until the progress deadline; the resumed runner's next write of
   * the step is judged as usual.
   */
  public RoutingConfirmation confirmation(CanarySpec spec, RoutingState applied) {
    ConfirmationPolicy policy = policy(spec);
    if (policy != ConfirmationPolicy.REQUIRE) {
      return RoutingConfirmation.confirmed();
    }
    List<RouteFields> routes = router.routeFields(spec);
    watch.watch(routes.stream().map(RouteFields::key).toList());
    return of(routes, written.contains(spec.key()) ? Optional.of(applied) : Optional.empty());
  }

  public AutoCloseable watchConfirmation(CanarySpec spec, Runnable onChange) {
    if (policy(spec) != ConfirmationPolicy.REQUIRE) {
      return () -> {};
    }
    return watch.onChange(router.routeFields(spec).stream().map(RouteFields::key).toList(), onChange);
  }

  /**
   * Calls {@code onChange} with the weights of the rollout's routes as the watch holds them after every
   * change of one of them, whatever the confirmation policy (a route the watch does not hold yet, or
   * that no longer fits the rollout, gives no weights).
   */
  public AutoCloseable watchWeights(CanarySpec spec, Consumer<List<RouteWeight>> onChange) {
    List<RouteFields> routes = router.routeFields(spec);
    return watch.onChange(routes.stream().map(RouteFields::key).toList(), () -> {
      List<RouteWeight> weights = new ArrayList<>();
      for (RouteFields route : routes) {
        watch.cached(route.key()).filter(r -> route.problems(r).isEmpty()).ifPresent(r -> weights.add(route.weights(r)));
      }
      onChange.accept(weights);
    });
  }

  private RoutingConfirmation of(List<RouteFields> routes, Optional<RoutingState> applied) {
    return RouteConfirmations.all(routes.stream().map(r -> RouteConfirmations.of(r, watch.cached(r.key()), applied)).toList());
  }

  private void warnIfRefused(List<RouteFields> routes, RoutingState applied) {
    RoutingConfirmation now = of(routes, Optional.of(applied));
    if (now.state() == RoutingConfirmation.State.REFUSED && warned.add(now.message())) {
      LOG.warn("{} (confirmation policy WARN: the rollout goes on)", now.message());
    }
  }

  @Override
  public void close() {
    warnings.values().forEach(Confirmations::close);
    warnings.clear();
    watch.close();
  }

  private static void close(AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.debug("closing a confirmation listener failed: {}", e.toString());
    }
  }
}
