package io.canary.hpa.internal;

import io.canary.core.CanaryException;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The autoscaling/v2 HorizontalPodAutoscalers of the rollouts' namespaces: fresh reads where a
 * decision must not rest on stale data (before any write), one shared informer per watched namespace
 * whose store serves {@code observe}, and bounds writes with optimistic locking.
 */
public final class Hpas {
  private static final Logger LOG = LoggerFactory.getLogger(Hpas.class);
  /** A conflicting write (the autoscaler's own status updates) is retried on the fresh object. */
  private static final int CONFLICT_RETRIES = 5;

  private final KubernetesClient client;
  /** What was last read or written, per namespace, for {@code observe} where no informer runs. */
  private final Map<String, Map<String, HorizontalPodAutoscaler>> cache = new ConcurrentHashMap<>();
  private final Map<String, NamespaceWatch> watches = new HashMap<>();

  public Hpas(KubernetesClient client) {
    this.client = client;
  }

  public static String describe(HorizontalPodAutoscaler hpa) {
    return "HorizontalPodAutoscaler " + hpa.getMetadata().getNamespace() + "/" + hpa.getMetadata().getName();
  }

  /** True when the autoscaler sizes the workload {@code kind/name}. */
  public static boolean targets(HorizontalPodAutoscaler hpa, String kind, String workload) {
    CrossVersionObjectReference ref = hpa.getSpec() == null ? null : hpa.getSpec().getScaleTargetRef();
    return ref != null && kind.equals(ref.getKind()) && workload.equals(ref.getName());
  }

  /** Every autoscaler that sizes {@code kind/workload}, read from the API server now. */
  public List<HorizontalPodAutoscaler> targetingFresh(String namespace, String kind, String workload) {
    return select(refresh(namespace).values(), kind, workload);
  }

  /**
   * Every autoscaler that sizes {@code kind/workload}, as last seen: from the informer's store while
   * the namespace is watched (it orders the events itself), else from what was last read or written.
   */
  public List<HorizontalPodAutoscaler> targetingCached(String namespace, String kind, String workload) {
    NamespaceWatch watch;
    synchronized (watches) {
      watch = watches.get(namespace);
    }
    if (watch != null) {
      return select(watch.informer.getStore().list(), kind, workload);
    }
    Map<String, HorizontalPodAutoscaler> known = cache.get(namespace);
    return select((known == null ? refresh(namespace) : known).values(), kind, workload);
  }

  /** The autoscalers of the namespace carrying all the given labels, read now. */
  public List<HorizontalPodAutoscaler> labelled(String namespace, Map<String, String> labels) {
    return hpas().inNamespace(namespace).withLabels(labels).list().getItems();
  }

  public Optional<HorizontalPodAutoscaler> get(String namespace, String name) {
    return Optional.ofNullable(hpas().inNamespace(namespace).withName(name).get());
  }

  public HorizontalPodAutoscaler create(HorizontalPodAutoscaler hpa) {
    HorizontalPodAutoscaler created = hpas().inNamespace(hpa.getMetadata().getNamespace()).resource(hpa).create();
    remember(created);
    return created;
  }

  public void delete(HorizontalPodAutoscaler hpa) {
    String namespace = hpa.getMetadata().getNamespace();
    hpas().inNamespace(namespace).withName(hpa.getMetadata().getName()).delete();
    forget(namespace, hpa.getMetadata().getName());
  }

  /**
   * Changes the autoscaler with {@code change} on its current version, retrying on a conflict; writes
   * nothing when the change leaves it as it is.
   */
  public HorizontalPodAutoscaler edit(HorizontalPodAutoscaler hpa, UnaryOperator<HorizontalPodAutoscaler> change) {
    Resource<HorizontalPodAutoscaler> resource =
        hpas().inNamespace(hpa.getMetadata().getNamespace()).withName(hpa.getMetadata().getName());
    for (int attempt = 1; ; attempt++) {
      HorizontalPodAutoscaler current = resource.get();
      if (current == null) {
        throw new CanaryException(describe(hpa) + " was deleted while the rollout was changing its bounds");
      }
      HorizontalPodAutoscaler changed = change.apply(copy(current));
      if (changed.equals(current)) {
        remember(current);
        return current;
      }
      try {
        // the change is a pure function of the object it is given, so applying it to the version
        // edit() reads again gives the same decision; edit() sends it with that resourceVersion
        HorizontalPodAutoscaler written = resource.edit(latest -> change.apply(copy(latest)));
        remember(written);
        return written;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt >= CONFLICT_RETRIES) {
          throw e;
        }
        LOG.debug("{} changed while being edited; retrying on the fresh object", describe(hpa));
      }
    }
  }

  /**
   * Calls {@code onEvent} for every change to an autoscaler of the namespace until closed. One informer
   * per namespace serves every rollout watching it, and keeps the cache current.
   */
  public AutoCloseable watch(String namespace, Consumer<HorizontalPodAutoscaler> onEvent) {
    NamespaceWatch watch;
    synchronized (watches) {
      watch = watches.computeIfAbsent(namespace, ns -> new NamespaceWatch(this, ns));
      watch.listeners.add(onEvent);
    }
    return () -> {
      synchronized (watches) {
        // closing twice must not stop a newer watch of the same namespace
        if (watch.listeners.remove(onEvent) && watch.listeners.isEmpty()) {
          watches.remove(namespace);
          watch.informer.close();
          cache.remove(namespace); // nothing keeps it current any more
        }
      }
    };
  }

  private Map<String, HorizontalPodAutoscaler> refresh(String namespace) {
    HorizontalPodAutoscalerList list = hpas().inNamespace(namespace).list();
    Map<String, HorizontalPodAutoscaler> fresh = new ConcurrentHashMap<>();
    for (HorizontalPodAutoscaler hpa : list.getItems()) {
      fresh.put(hpa.getMetadata().getName(), hpa);
    }
    cache.put(namespace, fresh);
    return fresh;
  }

  private static List<HorizontalPodAutoscaler> select(
      Collection<HorizontalPodAutoscaler> hpas, String kind, String workload) {
    List<HorizontalPodAutoscaler> matching = new ArrayList<>();
    for (HorizontalPodAutoscaler hpa : hpas) {
      if (targets(hpa, kind, workload)) {
        matching.add(hpa);
      }
    }
    matching.sort(Comparator.comparing(h -> h.getMetadata().getName()));
    return matching;
  }

  private void remember(HorizontalPodAutoscaler hpa) {
    Map<String, HorizontalPodAutoscaler> known = cache.get(hpa.getMetadata().getNamespace());
    if (known != null) {
      known.put(hpa.getMetadata().getName(), hpa);
    }
  }

  private void forget(String namespace, String name) {
    Map<String, HorizontalPodAutoscaler> known = cache.get(namespace);
    if (known != null) {
      known.remove(name);
    }
  }

  private HorizontalPodAutoscaler copy(HorizontalPodAutoscaler hpa) {
    return client.getKubernetesSerialization().clone(hpa);
  }

  private MixedOperation<HorizontalPodAutoscaler, HorizontalPodAutoscalerList, Resource<HorizontalPodAutoscaler>>
      hpas() {
    return client.autoscaling().v2().horizontalPodAutoscalers();
  }

  /** One informer for a namespace's autoscalers, shared by every rollout watching the namespace. */
  private static final class NamespaceWatch implements ResourceEventHandler<HorizontalPodAutoscaler> {
    final List<Consumer<HorizontalPodAutoscaler>> listeners = new CopyOnWriteArrayList<>();
    final SharedIndexInformer<HorizontalPodAutoscaler> informer;

    NamespaceWatch(Hpas hpas, String namespace) {
      this.informer = hpas.hpas().inNamespace(namespace).inform(this);
    }

    @Override
    public void onAdd(HorizontalPodAutoscaler hpa) {
      listeners.forEach(l -> l.accept(hpa));
    }

    @Override
    public void onUpdate(HorizontalPodAutoscaler old, HorizontalPodAutoscaler hpa) {
      onAdd(hpa);
    }

    @Override
    public void onDelete(HorizontalPodAutoscaler hpa, boolean finalStateUnknown) {
      onAdd(hpa);
    }
  }
}
