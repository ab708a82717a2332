package io.canary.kubernetes.internal;

import io.canary.kubernetes.CanaryLabels;
import static io.canary.core.WorkloadRef.DEPLOYMENT;
import static io.canary.kubernetes.internal.Deployments.copy;
import static io.canary.kubernetes.internal.Deployments.createdFor;
import static io.canary.kubernetes.internal.Deployments.currentReplicaSet;
import static io.canary.kubernetes.internal.Deployments.matchLabels;
import static io.canary.kubernetes.internal.Deployments.revisionHash;
import static io.canary.kubernetes.internal.Deployments.templateLabel;

import io.canary.core.CanarySpec;
import io.canary.core.CanaryValidationException;
import io.canary.core.NewRevision;
import io.canary.core.Problem;
import io.canary.core.RevisionTemplate;
import io.canary.core.Revision;
import io.canary.core.Revisions;
import io.canary.core.RolloutKey;
import io.canary.kubernetes.PodTemplate;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Works out a rollout's revisions from what the cluster holds, and the canary Deployment to create,
 * reporting every problem it meets; reads only, from the namespace's caches (the API server only for
 * what they do not hold yet: a target created a moment ago, or its first ReplicaSet).
 */
final class CanaryPlanner {
  private static final int MAX_NAME_LENGTH = 253;

  /** The revisions and, when the SDK makes the canary, the Deployment it makes and the one found by that name. */
  record Plan(Revisions revisions, Optional<Deployment> canaryToCreate, Optional<Deployment> canaryFound) {}

  private final KubernetesClient client;
  private final DeploymentWriter writer;
  private final Function<String, NamespaceInformers> caches;
  private final String canarySuffix;
  /** Told each rollout's target once it is found, for the event recorder. */
  private final BiConsumer<RolloutKey, String> targetFound;

  CanaryPlanner(KubernetesClient client, DeploymentWriter writer, Function<String, NamespaceInformers> caches,
      String canarySuffix, BiConsumer<RolloutKey, String> targetFound) {
    this.client = client;
    this.writer = writer;
    this.caches = caches;
    this.canarySuffix = canarySuffix;
    this.targetFound = targetFound;
  }

  String canaryName(CanarySpec spec) {
    return spec.revision().existingWorkload().orElse(spec.target().name() + canarySuffix);
  }

  Plan planOrThrow(CanarySpec spec) {
    List<Problem> problems = new ArrayList<>();
    Optional<Plan> plan = plan(spec, problems);
    if (plan.isEmpty() || !problems.isEmpty()) {
      throw new CanaryValidationException("Workloads of rollout " + spec.key(), problems);
    }
    return plan.get();
  }

  /** Reads what the spec names and works out the revisions; every problem found goes to {@code problems}. */
  Optional<Plan> plan(CanarySpec spec, List<Problem> problems) {
    String ns = spec.namespace();
    String targetName = spec.target().name();
    if (!DEPLOYMENT.equals(spec.target().kind())) {
      problems.add(Problem.of("target.kind", "'" + spec.target().kind() + "' is not a kind KubernetesWorkloads releases;"
          + " use Deployment"));
      return Optional.empty();
    }
    Optional<Deployment> target = writer.get(ns, targetName);
    if (target.isEmpty()) {
      problems.add(Problem.of("target", "Deployment " + ns + "/" + targetName
          + " not found; a rollout releases a Deployment that exists"));
    } else {
      targetFound.accept(spec.key(), targetName);
    }
    if (spec.revision().existingWorkload().isPresent()) {
      return planForExistingWorkload(spec, target, problems);
    }
    String canaryName = canaryName(spec);
    // From the cache alone: a canary it does not hold is created, and one that appeared meanwhile is
    // found by that create's conflict.
    Optional<Deployment> found = writer.cached(ns, canaryName);
    if (found.isPresent() && !createdFor(found.get(), spec)) {
      problems.add(Problem.of("Deployment " + ns + "/" + canaryName, "exists but was not created by rollout "
          + spec.key() + " (labels " + CanaryLabels.ROLLOUT + "=" + spec.name() + " and " + CanaryLabels.MANAGED_BY + "="
          + CanaryLabels.MANAGED_BY_VALUE + " are missing); the canary would take its name, and the SDK never adopts"
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
    // A target whose template carries this revision's label took it in this rollout's promotion: a runner
    // resuming the promotion validates the spec again, and that is not a release of nothing.
    boolean promotedHere = hash.equals(templateLabel(target.get(), CanaryLabels.REVISION));
    if (!promotedHere && hash.equals(RevisionHash.of(target.get().getSpec().getTemplate()))) {
      problems.add(Problem.of("revision", "the new pod template is the one Deployment " + ns + "/" + targetName
          + " runs already (revision " + hash + "); there is nothing to release"));
      return Optional.empty();
    }
    Revision canary = new Revision(canaryName, hash, Map.of(CanaryLabels.REVISION, hash));
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
      RevisionTemplate given = revision.podTemplate().get();
      if (!(given instanceof PodTemplate t)) {
        problems.add(Problem.of("revision.podTemplate", "is a " + given.getClass().getName()
            + "; canary-kubernetes takes a PodTemplate.of(podTemplateSpec)"));
        return Optional.empty();
      }
      PodTemplateSpec template = t.template();
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
    String label = templateLabel(target, CanaryLabels.REVISION);
    if (label != null) {
      return Optional.of(new Revision(name, label, Map.of(CanaryLabels.REVISION, label)));
    }
    Optional<ReplicaSet> current = currentReplicaSet(target, replicaSetsOf(target));
    String hash = current.map(rs -> rs.getMetadata().getLabels().get(CanaryLabels.POD_TEMPLATE_HASH)).orElse(null);
    if (hash == null) {
      problems.add(Problem.of("Deployment " + target.getMetadata().getNamespace() + "/" + name,
          "has no ReplicaSet with a " + CanaryLabels.POD_TEMPLATE_HASH + " label for its current template, so its pods"
              + " cannot be told apart from the canary's; start the rollout once the Deployment controller has"
              + " rolled it out"));
      return Optional.empty();
    }
    return Optional.of(new Revision(name, hash, Map.of(CanaryLabels.POD_TEMPLATE_HASH, hash)));
  }

  /**
   * The template the target ran before its current one (its ReplicaSet of the revision before), without
   * the labels the controller and the rollout put on it, as a new revision: what undo releases.
   */
  Optional<NewRevision> previousRevision(CanarySpec spec) {
    Optional<Deployment> target = writer.get(spec.namespace(), spec.target().name());
    if (target.isEmpty()) {
      return Optional.empty();
    }
    List<ReplicaSet> byRevision = replicaSetsOf(target.get()).stream()
        .filter(rs -> revisionOf(rs) > 0)
        .sorted(Comparator.comparingLong(CanaryPlanner::revisionOf).reversed())
        .toList();
    if (byRevision.size() < 2) {
      return Optional.empty();
    }
    PodTemplateSpec template = copy(byRevision.get(1).getSpec().getTemplate(), PodTemplateSpec.class);
    if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
      Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels());
      labels.remove(CanaryLabels.POD_TEMPLATE_HASH);
      labels.remove(CanaryLabels.REVISION);
      template.getMetadata().setLabels(labels);
    }
    return Optional.of(NewRevision.podTemplate(PodTemplate.of(template)));
  }

  private static long revisionOf(ReplicaSet rs) {
    String revision = Deployments.valueOf(rs.getMetadata().getAnnotations(), CanaryLabels.DEPLOYMENT_REVISION);
    try {
      return revision == null ? 0 : Long.parseLong(revision);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * The ReplicaSets {@code d} controls, from the cache; listed from the API server only when the cache
   * holds none (a Deployment rolled out a moment ago).
   */
  private List<ReplicaSet> replicaSetsOf(Deployment d) {
    List<ReplicaSet> cached = caches.apply(d.getMetadata().getNamespace()).replicaSetsOf(d);
    if (!cached.isEmpty()) {
      return cached;
    }
    String uid = d.getMetadata().getUid();
    var replicaSets = client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace());
    Map<String, String> selector = matchLabels(d);
    return (selector.isEmpty() ? replicaSets.list() : replicaSets.withLabels(selector).list()).getItems().stream()
        .filter(rs -> rs.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> Boolean.TRUE.equals(o.getController()) && Objects.equals(uid, o.getUid())))
        .toList();
  }

  private static Deployment canaryDeployment(
      CanarySpec spec, Deployment target, PodTemplateSpec template, String name, String hash) {
    Map<String, String> labels = new LinkedHashMap<>(Optional.ofNullable(target.getMetadata().getLabels()).orElse(Map.of()));
    labels.putAll(CanaryLabels.forRollout(spec.name()));
    if (template.getMetadata() == null) {
      template.setMetadata(new ObjectMeta());
    }
    Map<String, String> podLabels = new LinkedHashMap<>(Optional.ofNullable(template.getMetadata().getLabels()).orElse(Map.of()));
    podLabels.put(CanaryLabels.REVISION, hash);
    template.getMetadata().setLabels(podLabels);
    LabelSelector selector = copy(target.getSpec().getSelector(), LabelSelector.class);
    Map<String, String> matchLabels = new LinkedHashMap<>(Optional.ofNullable(selector.getMatchLabels()).orElse(Map.of()));
    matchLabels.put(CanaryLabels.REVISION, hash);
    selector.setMatchLabels(matchLabels);
    var targetSpec = target.getSpec();
    DeploymentBuilder b = new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(spec.namespace())
        .withLabels(labels)
        .addToAnnotations(CanaryLabels.TARGET, target.getMetadata().getName())
        .endMetadata()
        .withNewSpec()
        .withReplicas(0)
        .withSelector(selector)
        .withTemplate(template)
        .withMinReadySeconds(targetSpec.getMinReadySeconds())
        .withProgressDeadlineSeconds(targetSpec.getProgressDeadlineSeconds())
        .withRevisionHistoryLimit(targetSpec.getRevisionHistoryLimit())
        .withStrategy(targetSpec.getStrategy() == null ? null : copy(targetSpec.getStrategy(), DeploymentStrategy.class))
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
}
