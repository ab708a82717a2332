package io.canary.kubernetes.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.canary.core.CanaryException;
import io.canary.core.CanarySpec;
import io.canary.core.CanaryValidationException;
import io.canary.core.NewRevision;
import io.canary.core.Problem;
import io.canary.core.Revision;
import io.canary.core.Revisions;
import io.canary.core.RolloutKey;
import io.canary.core.spi.PodSummary;
import io.canary.core.spi.RevisionState;
import io.canary.core.spi.WorkloadState;
import io.canary.kubernetes.KubernetesEventRecorder;
import io.canary.kubernetes.KubernetesWorkloads;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link KubernetesWorkloads} implementation; see there for what it guarantees. */
public final class DeploymentWorkloads implements KubernetesWorkloads {
  private static final Logger LOG = LoggerFactory.getLogger(DeploymentWorkloads.class);
  private static final int MAX_NAME_LENGTH = 253;

  private final KubernetesClient client;
  private final String canarySuffix;
  private final Duration syncTimeout;
  private final DeploymentWriter writer;
  private final Map<String, NamespaceInformers> informers = new ConcurrentHashMap<>();
  private final Map<RolloutKey, String> targets = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public DeploymentWorkloads(KubernetesClient client, String canarySuffix, Duration syncTimeout) {
    this.client = client;
    this.canarySuffix = canarySuffix;
    this.syncTimeout = syncTimeout;
    this.writer = new DeploymentWriter(client);
  }

  /** What a rollout's workloads are and, when the SDK makes the canary, the Deployment it makes. */
  private record Plan(Revisions revisions, Optional<Deployment> canaryToCreate, Optional<Deployment> canaryFound) {}

  @Override
  public String canaryName(CanarySpec spec) {
    return spec.revision().existingWorkload().orElse(spec.target().name() + canarySuffix);
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
  public List<Problem> validate(CanarySpec spec) {
    List<Problem> problems = new ArrayList<>();
    plan(spec, problems);
    return problems;
  }

  @Override
  public Revisions previewRevisions(CanarySpec spec) {
    return planOrThrow(spec).revisions();
  }

  @Override
  public Revisions ensureCanary(CanarySpec spec) {
    Plan plan = planOrThrow(spec);
    if (plan.canaryToCreate().isEmpty()) {
      return plan.revisions();
    }
    Deployment desired = plan.canaryToCreate().get();
    String ns = spec.namespace();
    String name = desired.getMetadata().getName();
    Optional<Deployment> found = plan.canaryFound();
    if (found.isPresent() && plan.revisions().canary().hash().equals(templateLabel(found.get(), Labels.REVISION))) {
      LOG.debug("Rollout {}: canary Deployment {}/{} already runs revision {}", spec.key(), ns, name,
          plan.revisions().canary().hash());
      return plan.revisions();
    }
    if (found.isPresent()) {
      // A Deployment's selector cannot change, and this one selects an older revision of this rollout.
      LOG.info("Rollout {}: replacing canary Deployment {}/{} (revision {}) by revision {}", spec.key(), ns, name,
          templateLabel(found.get(), Labels.REVISION), plan.revisions().canary().hash());
      client.apps().deployments().inNamespace(ns).withName(name)
          .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
    }
    try {
      client.apps().deployments().inNamespace(ns).resource(desired).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      // Another runner created it between our read and our write: take it only if it is the same.
      Deployment other = writer.get(ns, name).orElseThrow(() -> e);
      if (!createdFor(other, spec)
          || !plan.revisions().canary().hash().equals(templateLabel(other, Labels.REVISION))) {
        throw new CanaryException("Deployment " + ns + "/" + name + " appeared while rollout " + spec.key()
            + " was creating its canary, and it is not that canary; the SDK does not overwrite it", e);
      }
      return plan.revisions();
    }
    LOG.info("Rollout {}: created canary Deployment {}/{} (revision {}, 0 replicas)", spec.key(), ns, name,
        plan.revisions().canary().hash());
    return plan.revisions();
  }

  @Override
  public void scaleCanary(CanarySpec spec, Revisions revisions, int replicas) {
    String name = revisions.canary().workload();
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
    writer.patch(spec.namespace(), name, d -> {
      JsonPatch p = JsonPatch.guardedBy(d.getMetadata().getResourceVersion());
      if (replicas.isEmpty()) {
        return giveBackReplicas(d, p, autoscaled);
      }
      Map<String, String> annotations = d.getMetadata().getAnnotations();
      if (annotations == null || !annotations.containsKey(Labels.USER_REPLICAS)) {
        p.setAnnotation(annotations, Labels.USER_REPLICAS, Integer.toString(replicasOf(d)));
      }
      return replicasOf(d) == replicas.get() ? p : p.set("/spec/replicas", replicas.get());
    });
  }

  @Override
  public WorkloadState observe(CanarySpec spec, Revisions revisions) {
    NamespaceInformers cache = informers(spec.namespace());
    String stableName = revisions.stable().workload();
    RevisionState stable = cache.deployment(stableName).map(d -> state(cache, d)).orElseGet(() -> RevisionState.absent(stableName));
    Optional<RevisionState> canary = cache.deployment(revisions.canary().workload()).map(d -> state(cache, d));
    return new WorkloadState(stable, canary);
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
        Map<String, String> annotations = d.getMetadata().getAnnotations();
        if (annotations == null || !annotations.containsKey(Labels.USER_STRATEGY)) {
          p.setAnnotation(annotations, Labels.USER_STRATEGY, toJson(d.getSpec().getStrategy()));
        }
        DeploymentStrategy promotion = promotionStrategy(spec, d.getSpec().getStrategy());
        if (!promotion.equals(d.getSpec().getStrategy())) {
          p.set("/spec/strategy", promotion);
        }
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
        && revisions.canary().hash().equals(templateLabel(d, Labels.REVISION))
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
      giveBackStrategy(d, p);
      return giveBackReplicas(d, p, autoscaled);
    });
    if (!spec.revision().createsCanaryWorkload()) {
      return;
    }
    String name = revisions.canary().workload();
    Optional<Deployment> canary = writer.get(ns, name);
    if (canary.isEmpty()) {
      return;
    }
    if (!createdFor(canary.get(), spec)) {
      LOG.warn("Rollout {}: Deployment {}/{} was not created by this rollout; it is left alone", spec.key(), ns, name);
      return;
    }
    client.apps().deployments().inNamespace(ns).withName(name)
        .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
    LOG.info("Rollout {}: removed canary Deployment {}/{}", spec.key(), ns, name);
  }

  @Override
  public AutoCloseable watch(CanarySpec spec, Revisions revisions, Runnable onChange) {
    return informers(spec.namespace())
        .listen(List.of(revisions.stable().workload(), revisions.canary().workload()), onChange);
  }

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
    NamespaceInformers cache = informers.computeIfAbsent(namespace, ns -> new NamespaceInformers(client, ns));
    try {
      return cache.awaitSynced(syncTimeout);
    } catch (RuntimeException e) {
      informers.remove(namespace, cache);
      cache.close();
      throw e;
    }
  }

  private Plan planOrThrow(CanarySpec spec) {
    List<Problem> problems = new ArrayList<>();
    Optional<Plan> plan = plan(spec, problems);
    if (plan.isEmpty() || !problems.isEmpty()) {
      throw new CanaryValidationException("Workloads of rollout " + spec.key(), problems);
    }
    return plan.get();
  }

  /** Reads what the spec names and works out the revisions; every problem found goes to {@code problems}. */
  private Optional<Plan> plan(CanarySpec spec, List<Problem> problems) {
    String ns = spec.namespace();
    String targetName = spec.target().name();
    Optional<Deployment> target = writer.get(ns, targetName);
    if (target.isEmpty()) {
      problems.add(Problem.of("target", "Deployment " + ns + "/" + targetName
          + " not found; a rollout releases a Deployment that exists"));
    } else {
      targets.put(spec.key(), targetName);
    }
    if (spec.revision().existingWorkload().isPresent()) {
      return planForExistingWorkload(spec, target, problems);
    }
    String canaryName = canaryName(spec);
    Optional<Deployment> found = writer.get(ns, canaryName);
    if (found.isPresent() && !createdFor(found.get(), spec)) {
      problems.add(Problem.of("Deployment " + ns + "/" + canaryName, "exists but was not created by rollout "
          + spec.key() + " (labels " + Labels.ROLLOUT + "=" + spec.name() + " and " + Labels.MANAGED_BY + "="
          + Labels.MANAGED_BY_VALUE + " are missing); the canary would take its name, and the SDK never adopts"
          + " or overwrites a Deployment it did not create: rename or delete it, or release it as"
          + " NewRevision.existingWorkload(\"" + canaryName + "\")"));
    }
    if (canaryName.length() > MAX_NAME_LENGTH) {
      problems.add(Problem.of("target.name", "the canary Deployment's name '" + canaryName + "' would be longer than "
          + MAX_NAME_LENGTH + " characters; use a shorter canarySuffix"));
    }
    if (target.isEmpty()) {
      return Optional.empty();
    }
    Optional<PodTemplateSpec> template = newTemplate(spec.revision(), target.get(), problems);
    Optional<Revision> stable = stableRevision(target.get(), problems);
    if (template.isEmpty() || stable.isEmpty()) {
      return Optional.empty();
    }
    String hash = RevisionHash.of(template.get());
    if (hash.equals(RevisionHash.of(target.get().getSpec().getTemplate()))) {
      problems.add(Problem.of("revision", "the new pod template is the one Deployment " + ns + "/" + targetName
          + " runs already (revision " + hash + "); there is nothing to release"));
      return Optional.empty();
    }
    Revision canary = new Revision(canaryName, hash, Map.of(Labels.REVISION, hash));
    Deployment toCreate = canaryDeployment(spec, target.get(), template.get(), canaryName, hash);
    return Optional.of(new Plan(new Revisions(stable.get(), canary), Optional.of(toCreate), found));
  }

  private Optional<Plan> planForExistingWorkload(CanarySpec spec, Optional<Deployment> target, List<Problem> problems) {
    String ns = spec.namespace();
    String name = spec.revision().existingWorkload().get();
    if (name.equals(spec.target().name())) {
      problems.add(Problem.of("revision.existingWorkload", "names the target Deployment '" + name
          + "' itself; name the Deployment that runs the new revision"));
      return Optional.empty();
    }
    Optional<Deployment> canary = writer.get(ns, name);
    if (canary.isEmpty()) {
      problems.add(Problem.of("revision.existingWorkload", "Deployment " + ns + "/" + name
          + " not found; with an existing workload, the user deploys the new revision before the rollout starts"));
    }
    if (target.isEmpty() || canary.isEmpty()) {
      return Optional.empty();
    }
    // The user's own labels (the subsets' version labels) already tell the two apart: no labels to add.
    Revision stable = new Revision(target.get().getMetadata().getName(), revisionHash(target.get(), replicaSetsOf(target.get())), Map.of());
    Revision other = new Revision(name, revisionHash(canary.get(), replicaSetsOf(canary.get())), Map.of());
    return Optional.of(new Plan(new Revisions(stable, other), Optional.empty(), canary));
  }

  /** The new revision's pod template, without the revision label yet. */
  private static Optional<PodTemplateSpec> newTemplate(NewRevision revision, Deployment target, List<Problem> problems) {
    String targetName = target.getMetadata().getNamespace() + "/" + target.getMetadata().getName();
    if (revision.podTemplate().isPresent()) {
      Object given = revision.podTemplate().get();
      if (!(given instanceof PodTemplateSpec t)) {
        problems.add(Problem.of("revision.podTemplate", "is a " + given.getClass().getName()
            + "; canary-kubernetes takes an io.fabric8.kubernetes.api.model.PodTemplateSpec"));
        return Optional.empty();
      }
      PodTemplateSpec template = copy(t, PodTemplateSpec.class);
      Map<String, String> labels = template.getMetadata() == null ? null : template.getMetadata().getLabels();
      Map<String, String> missing = new LinkedHashMap<>();
      matchLabels(target).forEach((k, v) -> {
        if (labels == null || !v.equals(labels.get(k))) {
          missing.put(k, v);
        }
      });
      if (!missing.isEmpty()) {
        problems.add(Problem.of("revision.podTemplate.metadata.labels", "must carry the labels " + missing
            + " of Deployment " + targetName + "'s selector, so that the Service selects the canary's pods too"));
      }
      if (template.getSpec() == null || template.getSpec().getContainers().isEmpty()) {
        problems.add(Problem.of("revision.podTemplate.spec.containers", "must name at least one container"));
      }
      return missing.isEmpty() && template.getSpec() != null && !template.getSpec().getContainers().isEmpty()
          ? Optional.of(template) : Optional.empty();
    }
    PodTemplateSpec template = copy(target.getSpec().getTemplate(), PodTemplateSpec.class);
    List<Container> containers = new ArrayList<>(template.getSpec().getContainers());
    containers.addAll(template.getSpec().getInitContainers());
    int before = problems.size();
    revision.images().forEach((name, image) -> {
      Optional<Container> container = containers.stream().filter(c -> name.equals(c.getName())).findFirst();
      if (container.isEmpty()) {
        problems.add(Problem.of("revision.images[" + name + "]", "Deployment " + targetName + " has no container '"
            + name + "'; its containers are " + containers.stream().map(Container::getName).toList()));
      } else {
        container.get().setImage(image);
      }
    });
    return problems.size() == before ? Optional.of(template) : Optional.empty();
  }

  /**
   * The stable revision: the revision label when a promotion put it on the template, else the
   * pod-template-hash of the Deployment's current ReplicaSet (the label the controller puts on its pods).
   */
  private Optional<Revision> stableRevision(Deployment target, List<Problem> problems) {
    String name = target.getMetadata().getName();
    String label = templateLabel(target, Labels.REVISION);
    if (label != null) {
      return Optional.of(new Revision(name, label, Map.of(Labels.REVISION, label)));
    }
    Optional<ReplicaSet> current = currentReplicaSet(target, replicaSetsOf(target));
    String hash = current.map(rs -> rs.getMetadata().getLabels().get(Labels.POD_TEMPLATE_HASH)).orElse(null);
    if (hash == null) {
      problems.add(Problem.of("Deployment " + target.getMetadata().getNamespace() + "/" + name,
          "has no ReplicaSet with a " + Labels.POD_TEMPLATE_HASH + " label for its current template, so its pods"
              + " cannot be told apart from the canary's; start the rollout once the Deployment controller has"
              + " rolled it out"));
      return Optional.empty();
    }
    return Optional.of(new Revision(name, hash, Map.of(Labels.POD_TEMPLATE_HASH, hash)));
  }

  private List<ReplicaSet> replicaSetsOf(Deployment d) {
    String uid = d.getMetadata().getUid();
    var replicaSets = client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace());
    Map<String, String> selector = matchLabels(d);
    return (selector.isEmpty() ? replicaSets.list() : replicaSets.withLabels(selector).list()).getItems().stream()
        .filter(rs -> rs.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> Boolean.TRUE.equals(o.getController()) && Objects.equals(uid, o.getUid())))
        .toList();
  }

  /** The ReplicaSet of the Deployment's current template, among the ones it controls. */
  private static Optional<ReplicaSet> currentReplicaSet(Deployment d, List<ReplicaSet> owned) {
    String revision = annotation(d.getMetadata().getAnnotations(), Labels.DEPLOYMENT_REVISION);
    if (revision != null) {
      Optional<ReplicaSet> byRevision = owned.stream()
          .filter(rs -> revision.equals(annotation(rs.getMetadata().getAnnotations(), Labels.DEPLOYMENT_REVISION)))
          .findFirst();
      if (byRevision.isPresent()) {
        return byRevision;
      }
    }
    String hash = RevisionHash.of(d.getSpec().getTemplate());
    return owned.stream().filter(rs -> hash.equals(RevisionHash.of(rs.getSpec().getTemplate()))).findFirst();
  }

  /** The revision hash a Deployment runs: its revision label, else its pod-template-hash, else its digest. */
  private static String revisionHash(Deployment d, List<ReplicaSet> owned) {
    String label = templateLabel(d, Labels.REVISION);
    if (label != null) {
      return label;
    }
    return currentReplicaSet(d, owned)
        .map(rs -> rs.getMetadata().getLabels().get(Labels.POD_TEMPLATE_HASH))
        .orElseGet(() -> RevisionHash.of(d.getSpec().getTemplate()));
  }

  private static Deployment canaryDeployment(
      CanarySpec spec, Deployment target, PodTemplateSpec template, String name, String hash) {
    Map<String, String> labels = new LinkedHashMap<>(Optional.ofNullable(target.getMetadata().getLabels()).orElse(Map.of()));
    labels.put(Labels.ROLLOUT, spec.name());
    labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    if (template.getMetadata() == null) {
      template.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMeta());
    }
    Map<String, String> podLabels = new LinkedHashMap<>(Optional.ofNullable(template.getMetadata().getLabels()).orElse(Map.of()));
    podLabels.put(Labels.REVISION, hash);
    template.getMetadata().setLabels(podLabels);
    LabelSelector selector = copy(target.getSpec().getSelector(), LabelSelector.class);
    Map<String, String> matchLabels = new LinkedHashMap<>(Optional.ofNullable(selector.getMatchLabels()).orElse(Map.of()));
    matchLabels.put(Labels.REVISION, hash);
    selector.setMatchLabels(matchLabels);
    var spec0 = target.getSpec();
    DeploymentBuilder b = new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(spec.namespace())
        .withLabels(labels)
        .addToAnnotations(Labels.TARGET, target.getMetadata().getName())
        .endMetadata()
        .withNewSpec()
        .withReplicas(0)
        .withSelector(selector)
        .withTemplate(template)
        .withMinReadySeconds(spec0.getMinReadySeconds())
        .withProgressDeadlineSeconds(spec0.getProgressDeadlineSeconds())
        .withRevisionHistoryLimit(spec0.getRevisionHistoryLimit())
        .withStrategy(spec0.getStrategy() == null ? null : copy(spec0.getStrategy(), DeploymentStrategy.class))
        .endSpec();
    if (target.getMetadata().getUid() != null) {
      // Deleting the target lets the garbage collector take the canary too; not a controller reference.
      b.editMetadata().addNewOwnerReference()
          .withApiVersion("apps/v1").withKind("Deployment").withName(target.getMetadata().getName())
          .withUid(target.getMetadata().getUid()).withController(false).withBlockOwnerDeletion(false)
          .endOwnerReference().endMetadata();
    }
    return b.build();
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
    // Read at the time of the write, not from a cache: an autoscaler made a moment ago must count.
    return client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace).list().getItems().stream()
        .map(HorizontalPodAutoscaler::getSpec)
        .filter(Objects::nonNull)
        .map(s -> s.getScaleTargetRef())
        .anyMatch(ref -> ref != null && "Deployment".equals(ref.getKind()) && deployment.equals(ref.getName()));
  }

  private static JsonPatch giveBackReplicas(Deployment d, JsonPatch p, boolean autoscaled) {
    Map<String, String> annotations = d.getMetadata().getAnnotations();
    String saved = annotation(annotations, Labels.USER_REPLICAS);
    if (saved == null) {
      return p;
    }
    if (!autoscaled && !saved.isBlank()) {
      int replicas = Integer.parseInt(saved.trim());
      if (replicas != replicasOf(d)) {
        p.set("/spec/replicas", replicas);
      }
    }
    return p.removeAnnotation(annotations, Labels.USER_REPLICAS);
  }

  private static void giveBackStrategy(Deployment d, JsonPatch p) {
    Map<String, String> annotations = d.getMetadata().getAnnotations();
    String saved = annotation(annotations, Labels.USER_STRATEGY);
    if (saved == null) {
      return;
    }
    DeploymentStrategy strategy = fromJson(saved);
    if (strategy == null && d.getSpec().getStrategy() != null) {
      p.remove("/spec/strategy");
    } else if (strategy != null && !strategy.equals(d.getSpec().getStrategy())) {
      p.set("/spec/strategy", strategy);
    }
    p.removeAnnotation(annotations, Labels.USER_STRATEGY);
  }

  /** RollingUpdate with the spec's maxSurge/maxUnavailable, the user's value for the one not given. */
  private static DeploymentStrategy promotionStrategy(CanarySpec spec, DeploymentStrategy user) {
    RollingUpdateDeployment userRolling = user == null ? null : user.getRollingUpdate();
    IntOrString surge = spec.maxSurge().map(DeploymentWorkloads::intOrPercent)
        .orElse(userRolling == null ? null : userRolling.getMaxSurge());
    IntOrString unavailable = spec.maxUnavailable().map(DeploymentWorkloads::intOrPercent)
        .orElse(userRolling == null ? null : userRolling.getMaxUnavailable());
    return new DeploymentStrategyBuilder().withType("RollingUpdate")
        .withNewRollingUpdate().withMaxSurge(surge).withMaxUnavailable(unavailable).endRollingUpdate().build();
  }

  private static IntOrString intOrPercent(String value) {
    return value.endsWith("%") ? new IntOrString(value) : new IntOrString(Integer.parseInt(value));
  }

  static boolean createdFor(Deployment d, CanarySpec spec) {
    Map<String, String> labels = Optional.ofNullable(d.getMetadata().getLabels()).orElse(Map.of());
    return spec.name().equals(labels.get(Labels.ROLLOUT)) && Labels.MANAGED_BY_VALUE.equals(labels.get(Labels.MANAGED_BY));
  }

  private static Map<String, String> matchLabels(Deployment d) {
    LabelSelector s = d.getSpec().getSelector();
    return s == null || s.getMatchLabels() == null ? Map.of() : s.getMatchLabels();
  }

  private static String templateLabel(Deployment d, String key) {
    PodTemplateSpec t = d.getSpec().getTemplate();
    return t == null || t.getMetadata() == null ? null : annotation(t.getMetadata().getLabels(), key);
  }

  private static String annotation(Map<String, String> map, String key) {
    return map == null ? null : map.get(key);
  }

  static int replicasOf(Deployment d) {
    // The API server defaults an absent replica count to 1.
    return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
  }

  private static int orZero(Integer i) {
    return i == null ? 0 : i;
  }

  private static <T> T copy(T value, Class<T> type) {
    return JsonPatch.MAPPER.convertValue(value, type);
  }

  private static String toJson(DeploymentStrategy strategy) {
    try {
      return JsonPatch.MAPPER.writeValueAsString(strategy);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the Deployment strategy as JSON", e);
    }
  }

  private static DeploymentStrategy fromJson(String json) {
    try {
      return JsonPatch.MAPPER.readValue(json, DeploymentStrategy.class);
    } catch (JsonProcessingException e) {
      throw new CanaryException("annotation " + Labels.USER_STRATEGY + " does not hold a Deployment strategy: " + json, e);
    }
  }
}
