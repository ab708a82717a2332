package io.canary.kubernetes.internal;

import io.canary.client.InformerEvents;
import io.canary.client.InformerFaults;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watch caches of one namespace, shared by every rollout in it: informers on Deployments,
 * ReplicaSets, Pods and autoscaling/v2 HorizontalPodAutoscalers. A change to a Deployment, to one of
 * its ReplicaSets or pods, or to an autoscaler targeting it wakes the rollouts watching that
 * Deployment. Reads are served from the caches: no API request per call. The Deployments this
 * process wrote are read as the API server answered the write until the informer has seen it; the
 * ReplicaSets of a Deployment and the pods of a ReplicaSet are found through an index by controller
 * kept from the events, so a read costs what it finds, not a scan of the namespace.
 */
public final class NamespaceInformers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NamespaceInformers.class);

  private final String namespace;
  private final SharedIndexInformer<Deployment> deployments;
  private final SharedIndexInformer<ReplicaSet> replicaSets;
  private final SharedIndexInformer<Pod> pods;
  private final SharedIndexInformer<HorizontalPodAutoscaler> autoscalerInformer;
  private final NamespaceAutoscalers autoscalers;
  private final OwnWrites<Deployment> ownDeploymentWrites = new OwnWrites<>();
  private final ControllerIndex<ReplicaSet> replicaSetsByOwner;
  private final ControllerIndex<Pod> podsByOwner;
  private final CompletableFuture<Void> synced;
  private final List<InformerFaults> faults;
  private final Map<String, List<Runnable>> listenersByDeployment = new ConcurrentHashMap<>();
  private final List<ResourceEventHandler<Deployment>> deploymentObservers = new CopyOnWriteArrayList<>();

  public NamespaceInformers(KubernetesClient client, String namespace) {
    this.namespace = namespace;
    this.deployments = client.apps().deployments().inNamespace(namespace).runnableInformer(0);
    this.replicaSets = client.apps().replicaSets().inNamespace(namespace).runnableInformer(0);
    this.pods = client.pods().inNamespace(namespace).runnableInformer(0);
    this.autoscalerInformer = client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace).runnableInformer(0);
    this.autoscalers = new NamespaceAutoscalers(namespace, autoscalerInformer);
    this.replicaSetsByOwner = new ControllerIndex<>(replicaSets.getStore());
    this.podsByOwner = new ControllerIndex<>(pods.getStore());
    deployments.addEventHandler(observed(InformerEvents.onEveryChange((d, deleted) -> {
      ownDeploymentWrites.seen(d, deleted);
      wake(List.of(d.getMetadata().getName()));
    })));
    // The index first, then the rollouts woken: what they read then finds the object that woke them.
    replicaSets.addEventHandler(InformerEvents.onEveryChange((rs, deleted) -> {
      replicaSetsByOwner.seen(rs, deleted);
      wake(ownerDeployment(rs).stream().toList());
    }));
    pods.addEventHandler(InformerEvents.onEveryChange((pod, deleted) -> {
      podsByOwner.seen(pod, deleted);
      wake(deploymentOfPod(pod));
    }));
    autoscalers.onChange(hpa -> wake(targetDeployment(hpa)));
    // Lists and watches that fail (a 429, a 500, a dropped connection) are tried again for ever, not stopped.
    this.faults = List.of(
        InformerFaults.keepUp(deployments, "Deployments of " + namespace),
        InformerFaults.keepUp(replicaSets, "ReplicaSets of " + namespace),
        InformerFaults.keepUp(pods, "Pods of " + namespace),
        InformerFaults.keepUp(autoscalerInformer, "HorizontalPodAutoscalers of " + namespace));
    this.synced = CompletableFuture.allOf(
        deployments.start().toCompletableFuture(),
        replicaSets.start().toCompletableFuture(),
        pods.start().toCompletableFuture(),
        autoscalerInformer.start().toCompletableFuture())
        .thenRun(() -> {
          replicaSetsByOwner.fill();
          podsByOwner.fill();
        });
  }

  /** Waits until every cache holds the namespace's objects (once, when the namespace is first used). */
  public NamespaceInformers awaitSynced(Duration timeout) {
    Informers.awaitSynced(synced, namespace, timeout, "Deployments, ReplicaSets, Pods, HorizontalPodAutoscalers",
        () -> faults.stream().flatMap(f -> f.lastFailure().stream()).findFirst());
    return this;
  }

  /** The Deployment as last seen: the informer's copy, or this process's own write when that is newer. */
  public Optional<Deployment> deployment(String name) {
    return ownDeploymentWrites.newest(name, deployments.getStore().getByKey(namespace + "/" + name));
  }

  /** This process created or patched {@code written} (as the API server answered): it is read at once. */
  public void wrote(Deployment written) {
    ownDeploymentWrites.wrote(written);
  }

  /** This process deleted {@code deleted} (as last read): it is gone at once. */
  public void deleted(Deployment deleted) {
    ownDeploymentWrites.deleted(deleted);
  }

  /**
   * The ReplicaSets the Deployment controls, old and new. Found through the index by controller, and
   * read from the store itself, not through an informer index: fabric8's index drops an object for a
   * moment while the informer updates it (it removes the old entry before it adds the new one), so an
   * index read during a status update can miss a ReplicaSet that is there all along.
   */
  public List<ReplicaSet> replicaSetsOf(Deployment deployment) {
    return replicaSetsByOwner.controlledBy(deployment.getMetadata().getUid());
  }

  /** The pods of every ReplicaSet the Deployment controls (from the store, as above). */
  public List<Pod> podsOf(Deployment deployment) {
    List<Pod> found = new ArrayList<>();
    for (ReplicaSet rs : replicaSetsOf(deployment)) {
      found.addAll(podsByOwner.controlledBy(rs.getMetadata().getUid()));
    }
    return found;
  }

  /** The namespace's autoscalers, shared with canary-hpa. */
  public NamespaceAutoscalers autoscalers() {
    return autoscalers;
  }

  /** The autoscaler sizing Deployment {@code deployment}, if any (the first by name). */
  public Optional<HorizontalPodAutoscaler> autoscalerOf(String deployment) {
    return autoscalers.targeting("Deployment", deployment).stream().findFirst();
  }

  /**
   * Tells {@code observer} of every change of the namespace's Deployments, the objects before and after
   * included, before the rollouts watching them are woken.
   */
  public void observeDeployments(ResourceEventHandler<Deployment> observer) {
    deploymentObservers.add(observer);
  }

  /** Calls {@code onChange} whenever one of the named Deployments, its pods or its autoscaler change. */
  public AutoCloseable listen(Collection<String> deploymentNames, Runnable onChange) {
    Set<String> names = Set.copyOf(deploymentNames);
    for (String name : names) {
      // compute, not computeIfAbsent + add: a list emptied and dropped meanwhile must not swallow the listener.
      listenersByDeployment.compute(name, (n, list) -> {
        List<Runnable> listeners = list == null ? new CopyOnWriteArrayList<>() : list;
        listeners.add(onChange);
        return listeners;
      });
    }
    return () -> {
      for (String name : names) {
        listenersByDeployment.computeIfPresent(name, (n, list) -> {
          list.remove(onChange);
          return list.isEmpty() ? null : list;
        });
      }
    };
  }

  @Override
  public void close() {
    deployments.close();
    replicaSets.close();
    pods.close();
    autoscalerInformer.close();
  }

  /** The observers first, then {@code wakeUp}. */
  private ResourceEventHandler<Deployment> observed(ResourceEventHandler<Deployment> wakeUp) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Deployment d) {
        deploymentObservers.forEach(o -> safely(() -> o.onAdd(d)));
        wakeUp.onAdd(d);
      }

      @Override
      public void onUpdate(Deployment before, Deployment after) {
        deploymentObservers.forEach(o -> safely(() -> o.onUpdate(before, after)));
        wakeUp.onUpdate(before, after);
      }

      @Override
      public void onDelete(Deployment d, boolean deletedFinalStateUnknown) {
        deploymentObservers.forEach(o -> safely(() -> o.onDelete(d, deletedFinalStateUnknown)));
        wakeUp.onDelete(d, deletedFinalStateUnknown);
      }
    };
  }

  private void safely(Runnable observer) {
    try {
      observer.run();
    } catch (RuntimeException e) {
      LOG.warn("An observer of the Deployments of namespace {} failed", namespace, e);
    }
  }

  private void wake(List<String> deploymentNames) {
    for (String name : deploymentNames) {
      for (Runnable listener : listenersByDeployment.getOrDefault(name, List.of())) {
        try {
          listener.run();
        } catch (RuntimeException e) {
          LOG.warn("A watcher of Deployment {}/{} failed", namespace, name, e);
        }
      }
    }
  }

  private List<String> deploymentOfPod(Pod pod) {
    return controllerOwner(pod)
        .map(rs -> replicaSets.getStore().getByKey(namespace + "/" + rs.getName()))
        .flatMap(NamespaceInformers::ownerDeployment)
        .stream()
        .toList();
  }

  private static Optional<String> ownerDeployment(ReplicaSet rs) {
    return controllerOwner(rs).filter(o -> "Deployment".equals(o.getKind())).map(OwnerReference::getName);
  }

  private static Optional<OwnerReference> controllerOwner(HasMetadata obj) {
    return obj.getMetadata().getOwnerReferences().stream().filter(o -> Boolean.TRUE.equals(o.getController())).findFirst();
  }

  private static List<String> targetDeployment(HorizontalPodAutoscaler hpa) {
    var ref = hpa.getSpec() == null ? null : hpa.getSpec().getScaleTargetRef();
    if (ref == null || !"Deployment".equals(ref.getKind()) || ref.getName() == null) {
      return List.of();
    }
    return List.of(ref.getName());
  }
}
