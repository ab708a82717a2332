package io.canary.gatewayapi.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes as a watch last saw them, status included: the router's own route informers (one per
 * route kind and namespace, shared by every rollout of the router and by its reads), started when a
 * rollout first needs one. Listeners hear of every change of the routes they name.
 */
final class RouteStatusWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RouteStatusWatch.class);

  private record Listener(Set<RouteKey> routes, Runnable onChange) {}

  private final CachedObjects objects;
  private final Set<Listener> listeners = new CopyOnWriteArraySet<>();

  RouteStatusWatch(CachedObjects objects) {
    this.objects = objects;
    objects.onRouteChange(this::changed);
  }

  /** Starts (once) the informers that cover {@code routes}; returns when their caches are filled. */
  void watch(Collection<RouteKey> routes) {
    routes.forEach(objects::routeInformer);
  }

  /** The route as last seen, or empty when the watch has not seen it (or it is gone). */
  Optional<ObjectNode> cached(RouteKey route) {
    return objects.cachedRoute(route);
  }

  /** Calls {@code onChange} after every change of one of {@code routes}, until the returned handle is closed. */
  AutoCloseable onChange(Collection<RouteKey> routes, Runnable onChange) {
    watch(routes);
    Listener listener = new Listener(Set.copyOf(routes), onChange);
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  private void changed(RouteKey key) {
    for (Listener listener : listeners) {
      if (listener.routes().contains(key)) {
        try {
          listener.onChange().run();
        } catch (RuntimeException e) {
          LOG.warn("{}: a confirmation listener failed: {}", key, e.toString());
        }
      }
    }
  }

  /** Stops the listeners and the informers (the router's reads, too). */
  @Override
  public void close() {
    listeners.clear();
    objects.close();
  }
}
