package io.canary.gatewayapi.internal;

import io.canary.client.InformerEvents;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canary.gatewayapi.RouteKind;
import io.canary.client.InformerFaults;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes as a watch last saw them, status included: one informer per route kind and namespace,
 * shared by every rollout of the router (its cost grows with namespaces, not with rollouts), started
 * when a rollout first needs it. Listeners hear of every change of the routes they name.
 */
final class RouteStatusWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RouteStatusWatch.class);
  /** How long the first list of a namespace's routes may take, failed attempts included. */
  private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(30);

  private record Scope(RouteKind kind, String namespace) {}

  private record Listener(Set<RouteKey> routes, Runnable onChange) {}

  private final ClusterAccess cluster;
  private final Map<Scope, SharedIndexInformer<GenericKubernetesResource>> informers = new ConcurrentHashMap<>();
  private final Set<Listener> listeners = new CopyOnWriteArraySet<>();
  private volatile boolean closed;

  RouteStatusWatch(ClusterAccess cluster) {
    this.cluster = cluster;
  }

  /** Starts (once) the informers that cover {@code routes}; returns when their caches are filled. */
  void watch(Collection<RouteKey> routes) {
    for (RouteKey route : routes) {
      informers.computeIfAbsent(new Scope(route.kind(), route.namespace()), this::start);
    }
  }

  /** The route as last seen, or empty when the watch has not seen it (or it is gone). */
  Optional<ObjectNode> cached(RouteKey route) {
    SharedIndexInformer<GenericKubernetesResource> informer = informers.get(new Scope(route.kind(), route.namespace()));
    if (informer == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(informer.getStore().getByKey(route.qualifiedName())).map(cluster::tree);
  }

  /** Calls {@code onChange} after every change of one of {@code routes}, until the returned handle is closed. */
  AutoCloseable onChange(Collection<RouteKey> routes, Runnable onChange) {
    watch(routes);
    Listener listener = new Listener(Set.copyOf(routes), onChange);
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  private SharedIndexInformer<GenericKubernetesResource> start(Scope scope) {
    if (closed) {
      throw new IllegalStateException("the Gateway API router is closed");
    }
    RouteKey any = new RouteKey(scope.kind(), scope.namespace(), "");
    SharedIndexInformer<GenericKubernetesResource> informer =
        cluster.client().genericKubernetesResources(any.context()).inNamespace(scope.namespace()).runnableInformer(0);
    informer.addEventHandler(InformerEvents.onEveryChange((route, deleted) -> changed(scope, route)));
    // Lists and watches that fail are tried again for ever; a first list that does not come names why.
    return InformerFaults.startAndAwait(informer, scope.kind().kind() + "s of " + scope.namespace(), SYNC_TIMEOUT);
  }

  private void changed(Scope scope, GenericKubernetesResource route) {
    RouteKey key = new RouteKey(scope.kind(), scope.namespace(), route.getMetadata().getName());
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

  @Override
  public void close() {
    closed = true;
    listeners.clear();
    informers.values().forEach(SharedIndexInformer::stop);
    informers.clear();
  }
}
