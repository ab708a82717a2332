package io.canary.gatewayapi.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canary.client.InformerEvents;
import io.canary.client.InformerFaults;
import io.canary.client.NewestCopies;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes and Services as informers hold them: one informer per route kind and namespace and one per
 * namespace of the Services, shared by every rollout of the router (their cost grows with namespaces,
 * not with rollouts), started when a rollout first uses one of their objects. The router's own writes
 * (and the reads that answer a conflict) return newer copies than an informer may hold yet; those are
 * used until it delivers their resourceVersion or a newer one. An object no informer holds (the first
 * use, before its namespace has been listed; a missing one) is read with a GET.
 */
final class CachedObjects implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CachedObjects.class);
  /** How long the first list of a namespace's routes may take, failed attempts included. */
  private static final Duration ROUTES_SYNC_TIMEOUT = Duration.ofSeconds(30);
  /** How long the first list of a namespace's Services is waited for before they are read one by one. */
  private static final Duration SERVICES_FIRST_LIST_WAIT = Duration.ofSeconds(2);
  private static final ResourceDefinitionContext SERVICES = ResourceDefinitionContext.fromResourceType(Service.class);

  private final ClusterAccess cluster;
  private final Map<String, SharedIndexInformer<GenericKubernetesResource>> informers = new ConcurrentHashMap<>();
  private final NewestCopies<String, GenericKubernetesResource> ownCopies = new NewestCopies<>();
  private final List<Consumer<RouteKey>> routeListeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  CachedObjects(ClusterAccess cluster) {
    this.cluster = cluster;
  }

  ClusterAccess cluster() {
    return cluster;
  }

  /** The newest known copy of the route; a GET only when its informer does not hold it. */
  Optional<ObjectNode> route(RouteKey key) {
    SharedIndexInformer<GenericKubernetesResource> informer = null;
    try {
      informer = closed ? null : routeInformer(key);
    } catch (KubernetesClientException e) {
      LOG.warn("{}; reading {} with a GET", e.getMessage(), key);
    }
    return newest(key.toString(), key.qualifiedName(), informer).or(() -> readRoute(key));
  }

  /** The route from the API server (after a conflict, or when no informer holds it). */
  Optional<ObjectNode> readRoute(RouteKey key) {
    return read(key.toString(), cluster.route(key));
  }

  /** The newest known copy of the Service; a GET only when its informer does not hold it. */
  Optional<ObjectNode> service(String namespace, String name) {
    String id = serviceId(namespace, name);
    return newest(id, namespace + "/" + name, servicesInformer(namespace).orElse(null)).or(() -> readService(namespace, name));
  }

  /** The Service from the API server (after a conflict, or when no informer holds it). */
  Optional<ObjectNode> readService(String namespace, String name) {
    return read(serviceId(namespace, name), cluster.service(namespace, name));
  }

  /** Writes the route with the resourceVersion it carries; the server's answer is the newest known copy. */
  void updateRoute(RouteKey key, ObjectNode route) {
    remember(key.toString(), cluster.updateRoute(key, route));
  }

  void updateService(String namespace, ObjectNode service) {
    remember(serviceId(namespace, service.path("metadata").path("name").asText()), cluster.updateService(namespace, service));
  }

  /** The route as its informer holds it, status included (the router's own writes not counted); empty when not held. */
  Optional<ObjectNode> cachedRoute(RouteKey key) {
    SharedIndexInformer<GenericKubernetesResource> informer = informers.get(routeScope(key));
    return informer == null ? Optional.empty() : Optional.ofNullable(informer.getStore().getByKey(key.qualifiedName())).map(cluster::tree);
  }

  /**
   * Starts (once) the informer of the route's kind and namespace and waits for its first list.
   *
   * @throws KubernetesClientException when it has not listed them within 30 s (it is stopped, the next call tries again)
   * @throws IllegalStateException when the router is closed
   */
  SharedIndexInformer<GenericKubernetesResource> routeInformer(RouteKey key) {
    if (closed) {
      throw new IllegalStateException("the Gateway API router is closed");
    }
    return informers.computeIfAbsent(routeScope(key), scope -> {
      SharedIndexInformer<GenericKubernetesResource> informer =
          cluster.client().genericKubernetesResources(key.context()).inNamespace(key.namespace()).runnableInformer(0);
      informer.addEventHandler(InformerEvents.onEveryChange((route, deleted) -> {
        RouteKey changed = new RouteKey(key.kind(), key.namespace(), route.getMetadata().getName());
        caughtUp(changed.toString(), route, deleted);
        routeChanged(changed);
      }));
      // Lists and watches that fail are tried again for ever; a first list that does not come names why.
      return InformerFaults.startAndAwait(informer, key.kind().kind() + "s of " + key.namespace(), ROUTES_SYNC_TIMEOUT);
    });
  }

  /** {@code listener} hears of every add, update and delete of a route that an informer of this router sees. */
  void onRouteChange(Consumer<RouteKey> listener) {
    routeListeners.add(listener);
  }

  private void routeChanged(RouteKey key) {
    for (Consumer<RouteKey> listener : routeListeners) {
      try {
        listener.accept(key);
      } catch (RuntimeException e) {
        LOG.warn("{}: a listener failed: {}", key, e.toString());
      }
    }
  }

  private Optional<SharedIndexInformer<GenericKubernetesResource>> servicesInformer(String namespace) {
    if (closed) {
      return Optional.empty();
    }
    return Optional.of(informers.computeIfAbsent("Service " + namespace, scope -> {
      SharedIndexInformer<GenericKubernetesResource> informer =
          cluster.client().genericKubernetesResources(SERVICES).inNamespace(namespace).runnableInformer(0);
      informer.addEventHandler(InformerEvents.onEveryChange((service, deleted) ->
          caughtUp(serviceId(namespace, service.getMetadata().getName()), service, deleted)));
      InformerFaults faults = InformerFaults.keepUp(informer, "Services of " + namespace);
      try {
        faults.await(informer.start().toCompletableFuture(), SERVICES_FIRST_LIST_WAIT);
      } catch (KubernetesClientException e) {
        LOG.warn("{}; it goes on trying, and until it has listed them they are read one by one", e.getMessage());
      }
      return informer;
    }));
  }

  private Optional<ObjectNode> newest(String id, String storeKey, SharedIndexInformer<GenericKubernetesResource> informer) {
    if (informer == null || !informer.hasSynced()) {
      return Optional.empty();
    }
    GenericKubernetesResource cached = informer.getStore().getByKey(storeKey);
    return cached == null ? Optional.empty() : Optional.of(cluster.tree(ownCopies.newest(id, cached)));
  }

  private Optional<ObjectNode> read(String id, Optional<GenericKubernetesResource> found) {
    if (found.isEmpty()) {
      ownCopies.forget(id);
      return Optional.empty();
    }
    ownCopies.remember(id, found.get());
    return Optional.of(cluster.tree(found.get()));
  }

  private void remember(String id, GenericKubernetesResource written) {
    if (written != null) {
      ownCopies.remember(id, written);
    }
  }

  /** An own copy the informer has caught up with (or of an object now deleted) is of no more use. */
  private void caughtUp(String id, GenericKubernetesResource seen, boolean deleted) {
    if (deleted) {
      ownCopies.forget(id);
    } else {
      ownCopies.newest(id, seen);
    }
  }

  private static String routeScope(RouteKey key) {
    return key.kind().kind() + " " + key.namespace();
  }

  private static String serviceId(String namespace, String name) {
    return "Service " + namespace + "/" + name;
  }

  /** Stops the informers; later reads are GETs. */
  @Override
  public void close() {
    closed = true;
    routeListeners.clear();
    informers.values().forEach(SharedIndexInformer::stop);
    informers.clear();
    ownCopies.clear();
  }
}
