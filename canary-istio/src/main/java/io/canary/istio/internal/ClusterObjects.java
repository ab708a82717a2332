package io.canary.istio.internal;

import io.canary.client.InformerEvents;
import io.canary.client.InformerFaults;
import io.canary.client.NewestCopies;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
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
 * Routing objects as untyped trees, each at the API version it is served at, read from informer
 * caches: one informer per kind, API version and namespace, shared by every rollout of the router and
 * started the first time one of its objects is used. The router's own writes (and the reads that
 * answer a conflict) return newer copies than the informer may hold yet; those are used until the
 * informer delivers their resourceVersion or a newer one. An object no informer holds (the first use,
 * before the namespace has been listed; one at another API version; a missing one) is read with a GET,
 * which also tells the version it is served at.
 */
final class ClusterObjects implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterObjects.class);
  /** How long the first list of a namespace's objects is waited for before reads fall back to GETs. */
  private static final Duration FIRST_LIST_WAIT = Duration.ofSeconds(2);

  private final KubernetesClient client;
  private final Map<ObjectRef, ResourceDefinitionContext> servedAt = new ConcurrentHashMap<>();
  private final Map<String, SharedIndexInformer<GenericKubernetesResource>> informers = new ConcurrentHashMap<>();
  private final NewestCopies<ObjectRef, GenericKubernetesResource> ownCopies = new NewestCopies<>();
  private final List<Consumer<ObjectRef>> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  ClusterObjects(KubernetesClient client) {
    this.client = client;
  }

  /**
   * The newest known copy of {@code ref}: the informer's, or the router's own newer one; a GET only
   * when no informer holds it. Never to be changed in place: {@link #copy} it first.
   */
  Optional<GenericKubernetesResource> find(ObjectRef ref) {
    ResourceDefinitionContext version = servedAt.get(ref);
    if (version == null) {
      version = heldAt(ref);
    }
    if (version != null) {
      Optional<SharedIndexInformer<GenericKubernetesResource>> informer = informer(ref.kind(), version, ref.namespace());
      if (informer.isPresent() && informer.get().hasSynced()) {
        GenericKubernetesResource cached = informer.get().getStore().getByKey(ref.qualifiedName());
        if (cached != null) {
          servedAt.putIfAbsent(ref, version);
          return Optional.of(ownCopies.newest(ref, cached));
        }
      }
    }
    return read(ref);
  }

  /** {@code ref} as its informer holds it (the router's own writes not counted); empty before it has listed it. */
  Optional<GenericKubernetesResource> cached(ObjectRef ref) {
    return servedAt(ref).flatMap(version -> informer(ref.kind(), version, ref.namespace()))
        .map(informer -> informer.getStore().getByKey(ref.qualifiedName()));
  }

  /**
   * Reads {@code ref} from the API server (after a conflict, or when no informer holds it), trying each
   * API version it may be served at, the one it was found at first.
   */
  Optional<GenericKubernetesResource> read(ObjectRef ref) {
    ResourceDefinitionContext known = servedAt.get(ref);
    if (known != null) {
      GenericKubernetesResource found = get(known, ref);
      if (found != null) {
        return Optional.of(found(ref, known, found));
      }
      servedAt.remove(ref);
    }
    for (ResourceDefinitionContext version : ref.kind().versions()) {
      if (version == known) {
        continue;
      }
      GenericKubernetesResource found = get(version, ref);
      if (found != null) {
        servedAt.put(ref, version);
        return Optional.of(found(ref, version, found));
      }
    }
    ownCopies.forget(ref);
    return Optional.empty();
  }

  private GenericKubernetesResource found(ObjectRef ref, ResourceDefinitionContext version, GenericKubernetesResource found) {
    ownCopies.remember(ref, found);
    informer(ref.kind(), version, ref.namespace());
    return found;
  }

  /**
   * Writes {@code changed} back at the version it was read at, with its resourceVersion: the API server
   * answers 409 when someone else wrote the object since. The server's answer, with the new
   * resourceVersion, is the newest known copy until the informer catches up.
   */
  void update(ObjectRef ref, GenericKubernetesResource changed) {
    GenericKubernetesResource written =
        client.genericKubernetesResources(contextOf(ref, changed)).inNamespace(ref.namespace()).resource(changed).update();
    if (written != null) {
      ownCopies.remember(ref, written);
    }
  }

  /** The API version {@code ref} is served at (found with a read the first time no informer holds it). */
  Optional<ResourceDefinitionContext> servedAt(ObjectRef ref) {
    ResourceDefinitionContext known = servedAt.get(ref);
    if (known != null) {
      return Optional.of(known);
    }
    ResourceDefinitionContext held = heldAt(ref);
    if (held != null) {
      servedAt.putIfAbsent(ref, held);
      return Optional.of(held);
    }
    return read(ref).map(found -> servedAt.get(ref));
  }

  /** Starts (once) the informer that holds {@code ref}; empty when the router is closed or ref is not found. */
  Optional<SharedIndexInformer<GenericKubernetesResource>> informer(ObjectRef ref) {
    return servedAt(ref).flatMap(version -> informer(ref.kind(), version, ref.namespace()));
  }

  /** {@code listener} hears of every add, update and delete an informer of this router sees. */
  void onChange(Consumer<ObjectRef> listener) {
    listeners.add(listener);
  }

  /** The version of an informer already running in {@code ref}'s namespace that holds it, or null. */
  private ResourceDefinitionContext heldAt(ObjectRef ref) {
    for (ResourceDefinitionContext version : ref.kind().versions()) {
      SharedIndexInformer<GenericKubernetesResource> informer = informers.get(scope(version, ref.namespace()));
      if (informer != null && informer.hasSynced() && informer.getStore().getByKey(ref.qualifiedName()) != null) {
        return version;
      }
    }
    return null;
  }

  private Optional<SharedIndexInformer<GenericKubernetesResource>> informer(RoutingKind kind, ResourceDefinitionContext version,
      String namespace) {
    if (closed) {
      return Optional.empty();
    }
    return Optional.of(informers.computeIfAbsent(scope(version, namespace), key -> start(kind, version, namespace)));
  }

  private static String scope(ResourceDefinitionContext version, String namespace) {
    return RoutingKind.apiVersionOf(version) + " " + version.getPlural() + " " + namespace;
  }

  private SharedIndexInformer<GenericKubernetesResource> start(RoutingKind kind, ResourceDefinitionContext version, String namespace) {
    SharedIndexInformer<GenericKubernetesResource> informer =
        client.genericKubernetesResources(version).inNamespace(namespace).runnableInformer(0);
    informer.addEventHandler(InformerEvents.onEveryChange((object, deleted) -> {
      ObjectRef ref = new ObjectRef(kind, namespace, object.getMetadata().getName());
      caughtUp(ref, object, deleted);
      listeners.forEach(listener -> listener.accept(ref));
    }));
    // Lists and watches that fail are tried again for ever. The first list is waited for a moment only:
    // a rollout must not stand still while a busy API server refuses it; until the informer has listed,
    // the router reads with GETs (and the watches see nothing).
    String what = kind.kind() + "s of " + namespace + " at " + RoutingKind.apiVersionOf(version);
    InformerFaults faults = InformerFaults.keepUp(informer, what);
    try {
      faults.await(informer.start().toCompletableFuture(), FIRST_LIST_WAIT);
    } catch (KubernetesClientException e) {
      LOG.warn("{}; it goes on trying, and until it has listed them they are read one by one (drift and istiod's"
          + " Reconciled status are seen once it has)", e.getMessage());
    }
    return informer;
  }

  /** An own copy the informer has caught up with (or of an object now deleted) is of no more use. */
  private void caughtUp(ObjectRef ref, GenericKubernetesResource seen, boolean deleted) {
    if (deleted) {
      ownCopies.forget(ref);
    } else {
      ownCopies.newest(ref, seen);
    }
  }

  /** Stops the informers; later reads are GETs. */
  @Override
  public void close() {
    closed = true;
    listeners.clear();
    informers.values().forEach(SharedIndexInformer::stop);
    informers.clear();
    ownCopies.clear();
  }

  KubernetesClient client() {
    return client;
  }

  GenericKubernetesResource copy(GenericKubernetesResource resource) {
    return client.getKubernetesSerialization().clone(resource);
  }

  String asJson(Object tree) {
    return client.getKubernetesSerialization().asJson(tree);
  }

  String asYaml(GenericKubernetesResource resource) {
    return client.getKubernetesSerialization().asYaml(resource);
  }

  private GenericKubernetesResource get(ResourceDefinitionContext version, ObjectRef ref) {
    return client.genericKubernetesResources(version).inNamespace(ref.namespace()).withName(ref.name()).get();
  }

  private ResourceDefinitionContext contextOf(ObjectRef ref, GenericKubernetesResource resource) {
    for (ResourceDefinitionContext version : ref.kind().versions()) {
      if (RoutingKind.apiVersionOf(version).equals(resource.getApiVersion())) {
        return version;
      }
    }
    throw new IllegalStateException(ref + " was read at unknown apiVersion " + resource.getApiVersion());
  }
}
