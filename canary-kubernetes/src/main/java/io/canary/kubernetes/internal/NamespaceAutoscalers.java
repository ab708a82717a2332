package io.canary.kubernetes.internal;

import io.canary.client.InformerEvents;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The autoscaling/v2 HorizontalPodAutoscalers of one namespace as last seen: the store of the
 * namespace's one autoscaler informer, with what this process wrote laid over it until the informer
 * has seen the write (so that an autoscaler created a moment ago already counts: no Deployment it
 * targets has its replicas written). Shared by canary-kubernetes, which never writes the replicas an
 * autoscaler owns, and canary-hpa, which moves the bounds; every read is served from memory.
 *
 * <p>Not an API: public for canary-hpa only, and it may change in any release.
 */
public final class NamespaceAutoscalers {
  private static final Logger LOG = LoggerFactory.getLogger(NamespaceAutoscalers.class);

  private final String namespace;
  private final SharedIndexInformer<HorizontalPodAutoscaler> informer;
  private final OwnWrites<HorizontalPodAutoscaler> written = new OwnWrites<>();
  private final List<Consumer<HorizontalPodAutoscaler>> listeners = new CopyOnWriteArrayList<>();

  /** Serves {@code informer}'s store. */
  public NamespaceAutoscalers(String namespace, SharedIndexInformer<HorizontalPodAutoscaler> informer) {
    this.namespace = namespace;
    this.informer = informer;
    informer.addEventHandler(InformerEvents.onEveryChange(this::seen));
  }

  public String namespace() {
    return namespace;
  }

  public static String describe(HorizontalPodAutoscaler hpa) {
    return "HorizontalPodAutoscaler " + hpa.getMetadata().getNamespace() + "/" + hpa.getMetadata().getName();
  }

  /** True when the autoscaler sizes the workload {@code kind/name}. */
  public static boolean targets(HorizontalPodAutoscaler hpa, String kind, String workload) {
    return target(hpa).filter((kind + "/" + workload)::equals).isPresent();
  }

  /**
   * Every autoscaler that sizes {@code kind/workload}, ordered by name. The store is read itself, not
   * through an informer index: fabric8's index drops an object for a moment while the informer
   * updates it (every status update of the autoscaler), and an autoscaler missed for that moment would
   * have its workload's replicas written.
   */
  public List<HorizontalPodAutoscaler> targeting(String kind, String workload) {
    Set<String> names = new TreeSet<>(written.names());
    informer.getStore().list().forEach(h -> names.add(h.getMetadata().getName()));
    List<HorizontalPodAutoscaler> found = new ArrayList<>();
    for (String name : names) {
      named(name).filter(h -> targets(h, kind, workload)).ifPresent(found::add);
    }
    return found;
  }

  public Optional<HorizontalPodAutoscaler> named(String name) {
    return written.newest(name, informer.getStore().getByKey(namespace + "/" + name));
  }

  /** The autoscalers carrying every one of {@code labels}, ordered by name. */
  public List<HorizontalPodAutoscaler> labelled(Map<String, String> labels) {
    Set<String> names = new TreeSet<>(written.names());
    informer.getStore().list().forEach(h -> names.add(h.getMetadata().getName()));
    List<HorizontalPodAutoscaler> found = new ArrayList<>();
    for (String name : names) {
      named(name).filter(h -> h.getMetadata().getLabels() != null
          && h.getMetadata().getLabels().entrySet().containsAll(labels.entrySet())).ifPresent(found::add);
    }
    return found;
  }

  /** This process created or changed {@code hpa} (as the API server answered): it counts at once. */
  public void wrote(HorizontalPodAutoscaler hpa) {
    written.wrote(hpa);
  }

  /** This process deleted {@code hpa} (last seen as given): it is gone at once. */
  public void deleted(HorizontalPodAutoscaler hpa) {
    written.deleted(hpa);
  }

  /** Calls {@code onChange} for every change the informer sees to an autoscaler of the namespace, until closed. */
  public AutoCloseable onChange(Consumer<HorizontalPodAutoscaler> onChange) {
    listeners.add(onChange);
    return () -> listeners.remove(onChange);
  }

  private void seen(HorizontalPodAutoscaler hpa, boolean deletion) {
    written.seen(hpa, deletion);
    for (Consumer<HorizontalPodAutoscaler> listener : listeners) {
      try {
        listener.accept(hpa);
      } catch (RuntimeException e) {
        LOG.warn("A watcher of the autoscalers of namespace {} failed", namespace, e);
      }
    }
  }

  private static Optional<String> target(HorizontalPodAutoscaler hpa) {
    CrossVersionObjectReference ref = hpa.getSpec() == null ? null : hpa.getSpec().getScaleTargetRef();
    return ref == null || ref.getKind() == null || ref.getName() == null
        ? Optional.empty() : Optional.of(ref.getKind() + "/" + ref.getName());
  }
}
