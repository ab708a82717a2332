package io.canary.kubernetes.internal;

import io.canary.kubernetes.CanaryLabels;
import static io.canary.kubernetes.internal.Deployments.createdFor;
import static io.canary.kubernetes.internal.Deployments.replicasOf;
import static io.canary.kubernetes.internal.Deployments.revisionHash;
import static io.canary.kubernetes.internal.Deployments.templateLabel;
import static io.canary.kubernetes.internal.Deployments.valueOf;

import io.canary.core.CanaryException;
import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Problem;
import io.canary.core.Revisions;
import io.canary.core.RolloutKey;
import io.canary.core.spi.CanaryScale;
import io.canary.core.spi.PodSummary;
import io.canary.core.spi.RevisionState;
import io.canary.core.spi.WorkloadState;
import io.canary.kubernetes.KubernetesEventRecorder;
import io.canary.kubernetes.KubernetesWorkloads;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link KubernetesWorkloads} implementation; see there for what it guarantees. */
public final class DeploymentWorkloads implements KubernetesWorkloads {
  private static final Logger LOG = LoggerFactory.getLogger(DeploymentWorkloads.class);

  private final KubernetesClient client;
  private final Duration syncTimeout;
  private final DeploymentWriter writer;
  private final CanaryPlanner planner;
  private final Map<String, NamespaceInformers> informers = new ConcurrentHashMap<>();
  private final Map<RolloutKey, String> targets = new ConcurrentHashMap<>();
  private final LostCanaries canaries = new LostCanaries();
  private volatile boolean closed;

  public DeploymentWorkloads(KubernetesClient client, String canarySuffix, Duration syncTimeout) {
    this.client = client;
    this.syncTimeout = syncTimeout;
    this.writer = new DeploymentWriter(client, this::informers, canaries::written);
    this.planner = new CanaryPlanner(client, writer, this::informers, canarySuffix, targets::put);
  }

  @Override
  public String canaryName(CanarySpec spec) {
    return planner.canaryName(spec);
  }

  @Override
  public Optional<String> targetOf(RolloutKey key) {
    return Optional.ofNullable(targets.get(key));
  }

  @Override
  public KubernetesEventRecorder eventRecorder() {
    return KubernetesEventRecorder.builder(client).targets(this::targetOf).build();
  }

  @Override
  public AutoscalerCaches autoscalerCaches() {
    return namespace -> informers(namespace).autoscalers();
  }

  @Override
  public List<Problem> validate(CanarySpec spec) {
    List<Problem> problems = new ArrayList<>();
    planner.plan(spec, problems);
    return problems;
  }

  @Override
  public Optional<NewRevision> previousRevision(CanarySpec spec) {
    return planner.previousRevision(spec);
  }

  @Override
  public Revisions previewRevisions(CanarySpec spec) {
    return planner.planOrThrow(spec).revisions();
  }

  @Override
  public Revisions ensureCanary(CanarySpec spec) {
    CanaryPlanner.Plan plan = planner.planOrThrow(spec);
    if (plan.canaryToCreate().isEmpty()) {
      canaries.keep(spec.namespace(), plan.revisions().canary().workload(), Optional.empty());
      return plan.revisions();
    }
    Deployment desired = plan.canaryToCreate().get();
    String ns = spec.namespace();
    String name = desired.getMetadata().getName();
    Optional<Deployment> found = plan.canaryFound();
    if (found.isPresent() && plan.revisions().canary().hash().equals(templateLabel(found.get(), CanaryLabels.REVISION))) {
      LOG.debug("Rollout {}: canary Deployment {}/{} already runs revision {}", spec.key(), ns, name,
          plan.revisions().canary().hash());
      canaries.keep(ns, name, found);
      return plan.revisions();
    }
    if (found.isPresent()) {
      // A Deployment's selector cannot change, and this one selects an older revision of this rollout.
      LOG.info("Rollout {}: replacing canary Deployment {}/{} (revision {}) by revision {}", spec.key(), ns, name,
          templateLabel(found.get(), CanaryLabels.REVISION), plan.revisions().canary().hash());
      canaries.release(ns, name);
      writer.delete(found.get());
    }
    try {
      canaries.keep(ns, name, Optional.of(writer.create(desired)));
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      // Another runner created it after our cache saw the namespace: take it only if it is the same.
      Deployment other = writer.get(ns, name).orElseThrow(() -> e);
      informers(ns).wrote(other);
      if (!createdFor(other, spec)
          || !plan.revisions().canary().hash().equals(templateLabel(other, CanaryLabels.REVISION))) {
        throw new CanaryException("Deployment " + ns + "/" + name + " appeared while rollout " + spec.key()
            + " was creating its canary, and it is not that canary; the SDK does not overwrite it", e);
      }
      canaries.keep(ns, name, Optional.of(other));
      return plan.revisions();
    }
    LOG.info("Rollout {}: created canary Deployment {}/{} (revision {}, 0 replicas)", spec.key(), ns, name,
        plan.revisions().canary().hash());
    return plan.revisions();
  }

  @Override
  public void scaleCanary(CanarySpec spec, Revisions revisions, CanaryScale request) {
    String name = revisions.canary().workload();
    int replicas = request.replicas();
    if (autoscaled(spec.namespace(), name)) {
      LOG.info("Rollout {}: Deployment {} is targeted by a HorizontalPodAutoscaler; its replicas are left to it",
          spec.key(), name);
      return;
    }
    boolean exists = writer.patch(spec.namespace(), name, d -> {
      JsonPatch p = JsonPatch.guardedBy(d.getMetadata().getResourceVersion());
      return replicasOf(d) == replicas ? p : p.set("/spec/replicas", replicas);
    });
    if (!exists) {
      throw new CanaryException("Rollout " + spec.key() + ": canary Deployment " + spec.namespace() + "/" + name
          + " not found; it was removed while the rollout ran");
    }
  }

  @Override
  public void scaleStable(CanarySpec spec, Revisions revisions, Optional<Integer> replicas) {
    String name = revisions.stable().workload();
    boolean autoscaled = autoscaled(spec.namespace(), name);
    if (autoscaled && replicas.isPresent()) {
      LOG.info("Rollout {}: Deployment {} is targeted by a HorizontalPodAutoscaler; its replicas are left to it",
          spec.key(), name);
      return;
    }
    boolean exists = writer.patch(spec.namespace(), name, d -> {
      JsonPatch p = JsonPatch.guardedBy(d.getMetadata().getResourceVersion());
      if (replicas.isEmpty()) {
        return giveBackReplicas(d, p, autoscaled);
      }
      if (replicasOf(d) == replicas.get()) {
        return p; // at that count already: nothing to write, nor the user's count to keep
      }
      Map<String, String> annotations = d.getMetadata().getAnnotations();
      if (annotations == null || !annotations.containsKey(CanaryLabels.USER_REPLICAS)) {
        p.setAnnotation(annotations, CanaryLabels.USER_REPLICAS, Integer.toString(replicasOf(d)));
      }
      return p.set("/spec/replicas", replicas.get());
    });
    if (!exists) {
      throw new CanaryException("Rollout " + spec.key() + ": stable Deployment " + spec.namespace() + "/" + name
          + " not found; it was removed while the rollout ran");
    }
  }

  @Override
  public WorkloadState observe(CanarySpec spec, Revisions revisions) {
    NamespaceInformers cache = informers(spec.namespace());
    String stableName = revisions.stable().workload();
    RevisionState stable = cache.deployment(stableName).map(d -> state(cache, d)).orElseGet(() -> RevisionState.absent(stableName));
    Optional<RevisionState> canary = cache.deployment(revisions.canary().workload()).map(d -> state(cache, d));
    return new WorkloadState(stable, canary);
  }

  /**
   * From the Deployment watch: the canary deleted, or scaled from some replicas to 0, by a write that
   * is not the SDK's (not one of its patches, not an autoscaler's count), since the rollout created or
   * found it.
   */
  @Override
  public Optional<String> canaryLost(CanarySpec spec, Revisions revisions) {
    return canaries.lost(spec.namespace(), revisions.canary().workload());
  }

  @Override
  public void promote(CanarySpec spec, Revisions revisions) {
    if (!spec.revision().createsCanaryWorkload()) {
      return;
    }
    String ns = spec.namespace();
    Deployment canary = writer.get(ns, revisions.canary().workload()).orElseThrow(() -> new CanaryException(
        "Rollout " + spec.key() + ": canary Deployment " + ns + "/" + revisions.canary().workload()
            + " not found, so the stable Deployment cannot take its template; abort and retry the rollout"));
    PodTemplateSpec template = canary.getSpec().getTemplate();
    boolean exists = writer.patch(ns, revisions.stable().workload(), d -> {
      JsonPatch p = JsonPatch.guardedBy(d.getMetadata().getResourceVersion());
      if (!JsonPatch.MAPPER.valueToTree(template).equals(JsonPatch.MAPPER.valueToTree(d.getSpec().getTemplate()))) {
        p.set("/spec/template", template);
      }
      if (spec.maxSurge().isPresent() || spec.maxUnavailable().isPresent()) {
        PromotionStrategy.use(spec, d, p);
      }
      return p;
    });
    if (!exists) {
      throw new CanaryException("Rollout " + spec.key() + ": target Deployment " + ns + "/"
          + revisions.stable().workload() + " not found");
    }
    LOG.info("Rollout {}: Deployment {}/{} takes revision {}", spec.key(), ns, revisions.stable().workload(),
        revisions.canary().hash());
  }

  @Override
  public boolean promotionComplete(CanarySpec spec, Revisions revisions) {
    if (!spec.revision().createsCanaryWorkload()) {
      return true;
    }
    Optional<Deployment> stable = informers(spec.namespace()).deployment(revisions.stable().workload());
    if (stable.isEmpty() || stable.get().getStatus() == null) {
      return false;
    }
    Deployment d = stable.get();
    DeploymentStatus status = d.getStatus();
    int desired = replicasOf(d);
    return status.getObservedGeneration() != null
        && d.getMetadata().getGeneration() != null
        && status.getObservedGeneration() >= d.getMetadata().getGeneration()
        && revisions.canary().hash().equals(templateLabel(d, CanaryLabels.REVISION))
        && orZero(status.getUpdatedReplicas()) == desired
        && orZero(status.getAvailableReplicas()) == desired
        && orZero(status.getReplicas()) == desired;
  }

  @Override
  public void removeCanary(CanarySpec spec, Revisions revisions) {
    String ns = spec.namespace();
    boolean autoscaled = autoscaled(ns, revisions.stable().workload());
    writer.patch(ns, revisions.stable().workload(), d -> {
      JsonPatch p = JsonPatch.guardedBy(d.getMetadata().getResourceVersion());
      PromotionStrategy.giveBack(d, p);
      return giveBackReplicas(d, p, autoscaled);
    });
    String name = revisions.canary().workload();
    canaries.release(ns, name);
    if (!spec.revision().createsCanaryWorkload()) {
      return;
    }
    Optional<Deployment> canary = writer.get(ns, name);
    if (canary.isEmpty()) {
      return;
    }
    if (!createdFor(canary.get(), spec)) {
      LOG.warn("Rollout {}: Deployment {}/{} was not created by this rollout; it is left alone", spec.key(), ns, name);
      return;
    }
    writer.delete(canary.get());
    LOG.info("Rollout {}: removed canary Deployment {}/{}", spec.key(), ns, name);
  }

  @Override
  public AutoCloseable watch(CanarySpec spec, Revisions revisions, Runnable onChange) {
    return informers(spec.namespace())
        .listen(List.of(revisions.stable().workload(), revisions.canary().workload()), onChange);
  }

  /** Stops the watches; idempotent. */
  @Override
  public void close() {
    closed = true;
    informers.values().forEach(NamespaceInformers::close);
    informers.clear();
  }

  private NamespaceInformers informers(String namespace) {
    if (closed) {
      throw new IllegalStateException("KubernetesWorkloads is closed");
    }
    NamespaceInformers cache = informers.computeIfAbsent(namespace, this::startInformers);
    try {
      return cache.awaitSynced(syncTimeout);
    } catch (RuntimeException e) {
      informers.remove(namespace, cache);
      cache.close();
      throw e;
    }
  }

  private NamespaceInformers startInformers(String namespace) {
    NamespaceInformers started = new NamespaceInformers(client, namespace);
    started.observeDeployments(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Deployment d) {}

      @Override
      public void onUpdate(Deployment before, Deployment after) {
        canaries.updated(before, after, name -> started.autoscalerOf(name).isPresent());
      }

      @Override
      public void onDelete(Deployment d, boolean deletedFinalStateUnknown) {
        canaries.deleted(d);
      }
    });
    return started;
  }

  private static RevisionState state(NamespaceInformers cache, Deployment d) {
    DeploymentStatus status = Optional.ofNullable(d.getStatus()).orElseGet(DeploymentStatus::new);
    Optional<HorizontalPodAutoscaler> hpa = cache.autoscalerOf(d.getMetadata().getName());
    List<PodSummary> pods = cache.podsOf(d).stream()
        .map(DeploymentWorkloads::summary)
        .sorted(Comparator.comparing(PodSummary::name))
        .toList();
    return RevisionState.builder()
        .workload(d.getMetadata().getName())
        .hash(revisionHash(d, cache.replicaSetsOf(d)))
        .desired(replicasOf(d))
        .current(orZero(status.getReplicas()))
        .updated(orZero(status.getUpdatedReplicas()))
        .ready(orZero(status.getReadyReplicas()))
        // The controller counts a pod available once it has been ready for minReadySeconds.
        .available(orZero(status.getAvailableReplicas()))
        .autoscaled(hpa.isPresent())
        .minReplicas(hpa.map(h -> Optional.ofNullable(h.getSpec().getMinReplicas()).orElse(1)))
        .maxReplicas(hpa.map(h -> h.getSpec().getMaxReplicas()))
        .pods(pods)
        .build();
  }

  private static PodSummary summary(Pod pod) {
    boolean ready = pod.getStatus() != null && pod.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    String phase = pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase();
    return new PodSummary(pod.getMetadata().getName(), ready, phase);
  }

  private boolean autoscaled(String namespace, String deployment) {
    // From the namespace's autoscaler cache, which holds what this process wrote at once: an autoscaler
    // canary-hpa created a moment ago counts before its watch event arrives.
    return informers(namespace).autoscalerOf(deployment).isPresent();
  }

  private static JsonPatch giveBackReplicas(Deployment d, JsonPatch p, boolean autoscaled) {
    Map<String, String> annotations = d.getMetadata().getAnnotations();
    String saved = valueOf(annotations, CanaryLabels.USER_REPLICAS);
    if (saved == null) {
      return p;
    }
    if (!autoscaled && !saved.isBlank()) {
      int replicas = Integer.parseInt(saved.trim());
      if (replicas != replicasOf(d)) {
        p.set("/spec/replicas", replicas);
      }
    }
    return p.removeAnnotation(annotations, CanaryLabels.USER_REPLICAS);
  }

  private static int orZero(Integer i) {
    return i == null ? 0 : i;
  }
}
