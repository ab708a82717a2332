package io.canary.testing.internal;

import io.canary.testing.internal.ClusterState.Kind;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The Deployment and ReplicaSet controllers, on virtual time: a ReplicaSet per pod template
 * ({@code <deployment>-<pod-template-hash>}, owned by the Deployment, with the revision annotation),
 * pods that become Ready after the start-up delay and available after minReadySeconds, rolling
 * updates within maxSurge and maxUnavailable, Recreate, garbage collection of what a deleted
 * Deployment owned, and the Deployment status. It works from the {@link ClusterState} and writes
 * only what changed.
 */
public final class DeploymentController {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DeploymentController.class);
  public static final String HASH_LABEL = "pod-template-hash";
  public static final String REVISION_ANNOTATION = "deployment.kubernetes.io/revision";

  private final ClusterState state;
  private final KubernetesClient client;
  private final Supplier<Instant> clock;
  private final Duration startupDelay;
  private final Consumer<Instant> wakeUpAt;
  /** When each pod this controller made started and became ready, on the virtual clock. */
  private final Map<String, Instant> startedAt = new HashMap<>();
  private final Map<String, Instant> readyAt = new HashMap<>();
  private final Map<String, Integer> podsMade = new HashMap<>();
  private final Map<String, String[]> templateHashes = new HashMap<>();
  private boolean conflicted;
  private int writes;
  private long settledVersion = -1;
  private Instant nextChange;

  public DeploymentController(ClusterState state, KubernetesClient client, Supplier<Instant> clock,
      Duration startupDelay, Consumer<Instant> wakeUpAt) {
    this.state = state;
    this.client = client;
    this.clock = clock;
    this.startupDelay = startupDelay;
    this.wakeUpAt = wakeUpAt;
  }

  /**
   * One pass over every Deployment. Returns true when a write was refused for a stale
   * resourceVersion: the caller refreshes the view and runs another pass.
   */
  public boolean reconcile() {
    Instant now = clock.get();
    // Nothing changed and no pod is due to become ready or available: nothing to do, no request.
    if (state.version() == settledVersion && (nextChange == null || now.isBefore(nextChange))) {
      return false;
    }
    conflicted = false;
    // A pass acts on what the previous one wrote (a new ReplicaSet, then its pods' statuses).
    for (int pass = 0; pass < 5 && !conflicted; pass++) {
      writes = 0;
      collectGarbage();
      List<Deployment> deployments = new ArrayList<>(state.<Deployment>all(Kind.DEPLOYMENT));
      deployments.sort(Comparator.comparing((Deployment d) -> d.getMetadata().getNamespace())
          .thenComparing(d -> d.getMetadata().getName()));
      for (Deployment d : deployments) {
        reconcile(d, now);
      }
      if (writes == 0) {
        break;
      }
    }
    settledVersion = conflicted ? -1 : state.version();
    scheduleNextChange(now);
    return conflicted;
  }

  /** The template's hash, computed again only when the Deployment changed. */
  private String templateHash(Deployment d) {
    String[] cached = templateHashes.get(Labels.identity(d));
    String version = d.getMetadata().getResourceVersion();
    if (cached != null && cached[0].equals(version)) {
      return cached[1];
    }
    String hash = PodTemplateHash.of(d.getSpec().getTemplate(), client.getKubernetesSerialization());
    templateHashes.put(Labels.identity(d), new String[] {String.valueOf(version), hash});
    return hash;
  }

  private void reconcile(Deployment d, Instant now) {
    String ns = d.getMetadata().getNamespace();
    if (d.getSpec() == null || d.getSpec().getSelector() == null || d.getSpec().getTemplate() == null) {
      // A real API server rejects such a Deployment; the mock stores it. Make no pods for it.
      LOG.warn("Deployment {}/{} has no spec.selector or spec.template; a real API server would reject it, "
          + "the simulation makes no pods for it", ns, d.getMetadata().getName());
      return;
    }
    int desired = Optional.ofNullable(d.getSpec().getReplicas()).orElse(1);
    int minReady = Optional.ofNullable(d.getSpec().getMinReadySeconds()).orElse(0);
    String hash = templateHash(d);
    List<ReplicaSet> owned = ownedBy(d, Kind.REPLICA_SET);
    ReplicaSet newRs = owned.stream().filter(rs -> hash.equals(Labels.of(rs).get(HASH_LABEL))).findFirst().orElse(null);
    List<ReplicaSet> old = new ArrayList<>(owned);
    old.remove(newRs);
    old.sort(Comparator.comparingLong(DeploymentController::revision));
    int maxRevision = owned.stream().mapToInt(rs -> (int) revision(rs)).max().orElse(0);

    // Pods first: readiness is what the rolling update waits for.
    for (ReplicaSet rs : owned) {
      markReadyPods(rs, now);
    }
    boolean recreate = d.getSpec().getStrategy() != null && "Recreate".equals(d.getSpec().getStrategy().getType());
    int surge = recreate ? 0 : fencepost(d, true, desired);
    int unavailable = recreate ? 0 : fencepost(d, false, desired);
    if (!recreate && surge == 0 && unavailable == 0) {
      unavailable = 1; // as Kubernetes resolves the fenceposts: a rollout must be able to move
    }
    int oldReplicas = old.stream().mapToInt(DeploymentController::specReplicas).sum();

    if (newRs == null) {
      int initial;
      if (recreate) {
        initial = oldReplicas == 0 && podsOf(old).isEmpty() ? desired : 0;
      } else {
        initial = oldReplicas == 0 ? desired : Math.max(0, Math.min(desired, desired + surge - oldReplicas));
      }
      newRs = createReplicaSet(d, hash, initial, maxRevision + 1);
      if (newRs == null) {
        return;
      }
    } else if (revision(newRs) < maxRevision) {
      // A rollback to an earlier template: its ReplicaSet becomes the newest revision again.
      ReplicaSet updated = new ReplicaSetBuilder(newRs).editMetadata()
          .addToAnnotations(REVISION_ANNOTATION, String.valueOf(maxRevision + 1)).endMetadata().build();
      newRs = write(updated, () -> client.apps().replicaSets().inNamespace(ns).resource(updated).update());
      if (newRs == null) {
        return;
      }
    }

    Map<ReplicaSet, Integer> target = new LinkedHashMap<>();
    for (ReplicaSet rs : old) {
      target.put(rs, specReplicas(rs));
    }
    int newReplicas = specReplicas(newRs);
    if (recreate) {
      old.forEach(rs -> target.put(rs, 0));
      newReplicas = podsOf(old).isEmpty() ? desired : 0;
    } else if (oldReplicas == 0) {
      newReplicas = desired;
    } else {
      int maxTotal = desired + surge;
      int currentTotal = newReplicas + oldReplicas;
      if (newReplicas < desired && currentTotal < maxTotal) {
        newReplicas = Math.min(desired, newReplicas + maxTotal - currentTotal);
      }
      newReplicas = Math.min(newReplicas, desired);
      int minAvailable = desired - unavailable;
      int newUnavailable = Math.max(0, newReplicas - available(newRs, minReady, now));
      int maxScaledDown = newReplicas + oldReplicas - minAvailable - newUnavailable;
      // Old pods that are not available go first: removing them costs no availability.
      for (ReplicaSet rs : old) {
        if (maxScaledDown <= 0) {
          break;
        }
        int unhealthy = target.get(rs) - Math.min(target.get(rs), available(rs, minReady, now));
        int down = Math.min(maxScaledDown, unhealthy);
        target.put(rs, target.get(rs) - down);
        maxScaledDown -= down;
      }
      int availableTotal = Math.min(newReplicas, available(newRs, minReady, now));
      for (ReplicaSet rs : old) {
        availableTotal += Math.min(target.get(rs), available(rs, minReady, now));
      }
      int canScaleDown = Math.min(maxScaledDown, availableTotal - minAvailable);
      for (ReplicaSet rs : old) {
        if (canScaleDown <= 0) {
          break;
        }
        int down = Math.min(target.get(rs), canScaleDown);
        target.put(rs, target.get(rs) - down);
        canScaleDown -= down;
      }
    }
    target.put(newRs, newReplicas);

    List<ReplicaSet> current = new ArrayList<>();
    for (Map.Entry<ReplicaSet, Integer> e : target.entrySet()) {
      ReplicaSet rs = scale(e.getKey(), e.getValue());
      if (rs == null) {
        return;
      }
      syncPods(rs);
      current.add(writeReplicaSetStatus(rs, minReady, now));
    }
    writeDeploymentStatus(d, current, current.get(current.size() - 1), desired, unavailable, minReady, now);
  }

  private static int fencepost(Deployment d, boolean surge, int desired) {
    IntOrString value = null;
    if (d.getSpec().getStrategy() != null && d.getSpec().getStrategy().getRollingUpdate() != null) {
      value = surge ? d.getSpec().getStrategy().getRollingUpdate().getMaxSurge()
          : d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable();
    }
    if (value == null) {
      value = new IntOrString("25%");
    }
    if (value.getIntVal() != null) {
      return value.getIntVal();
    }
    String s = value.getStrVal().trim();
    if (!s.endsWith("%")) {
      throw new IllegalArgumentException("Deployment " + d.getMetadata().getNamespace() + "/"
          + d.getMetadata().getName() + ": spec.strategy.rollingUpdate." + (surge ? "maxSurge" : "maxUnavailable")
          + " '" + s + "' is neither a number nor a percentage like '25%'");
    }
    double exact = desired * Integer.parseInt(s.substring(0, s.length() - 1)) / 100.0;
    // Kubernetes rounds surge up and unavailability down.
    return (int) (surge ? Math.ceil(exact) : Math.floor(exact));
  }

  /** The objects of {@code kind} that {@code owner} controls, by name. */
  private <T extends HasMetadata> List<T> ownedBy(HasMetadata owner, Kind kind) {
    String uid = Labels.identity(owner);
    List<T> out = new ArrayList<>();
    for (T o : state.<T>inNamespace(kind, owner.getMetadata().getNamespace())) {
      if (Labels.owner(o).map(uid::equals).orElse(false)) {
        out.add(o);
      }
    }
    out.sort(Comparator.comparing(o -> o.getMetadata().getName()));
    return out;
  }

  private List<Pod> podsOf(List<ReplicaSet> sets) {
    List<Pod> out = new ArrayList<>();
    for (ReplicaSet rs : sets) {
      out.addAll(podsOf(rs));
    }
    return out;
  }

  private List<Pod> podsOf(ReplicaSet rs) {
    return ownedBy(rs, Kind.POD);
  }

  static long revision(ReplicaSet rs) {
    Map<String, String> a = rs.getMetadata().getAnnotations();
    String r = a == null ? null : a.get(REVISION_ANNOTATION);
    return r == null ? 0 : Long.parseLong(r);
  }

  private static int specReplicas(ReplicaSet rs) {
    return Optional.ofNullable(rs.getSpec().getReplicas()).orElse(0);
  }

  private int available(ReplicaSet rs, int minReadySeconds, Instant now) {
    int n = 0;
    for (Pod p : podsOf(rs)) {
      if (isAvailable(p, minReadySeconds, now)) {
        n++;
      }
    }
    return n;
  }

  private boolean isAvailable(Pod p, int minReadySeconds, Instant now) {
    if (!Labels.isReady(p)) {
      return false;
    }
    Instant since = readyAt.get(key(p));
    return since == null || !since.plusSeconds(minReadySeconds).isAfter(now);
  }

  private ReplicaSet createReplicaSet(Deployment d, String hash, int replicas, long revision) {
    String ns = d.getMetadata().getNamespace();
    PodTemplateSpec template = new PodTemplateSpecBuilder(d.getSpec().getTemplate())
        .editOrNewMetadata().addToLabels(HASH_LABEL, hash).endMetadata().build();
    ReplicaSet rs = new ReplicaSetBuilder()
        .withNewMetadata()
        .withName(d.getMetadata().getName() + "-" + hash)
        .withNamespace(ns)
        .withLabels(template.getMetadata().getLabels())
        .addToAnnotations(REVISION_ANNOTATION, String.valueOf(revision))
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
            .withName(d.getMetadata().getName()).withUid(d.getMetadata().getUid())
            .withController(true).withBlockOwnerDeletion(true).build())
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withMinReadySeconds(d.getSpec().getMinReadySeconds())
        .withSelector(new LabelSelectorBuilder(d.getSpec().getSelector()).addToMatchLabels(HASH_LABEL, hash).build())
        .withTemplate(template)
        .endSpec()
        .build();
    return write(rs, () -> client.apps().replicaSets().inNamespace(ns).resource(rs).create());
  }

  private ReplicaSet scale(ReplicaSet rs, int replicas) {
    if (specReplicas(rs) == replicas) {
      return rs;
    }
    ReplicaSet scaled = new ReplicaSetBuilder(rs).editSpec().withReplicas(replicas).endSpec().build();
    return write(scaled, () -> client.apps().replicaSets()
        .inNamespace(rs.getMetadata().getNamespace()).resource(scaled).update());
  }

  /** The ReplicaSet controller: as many pods as the ReplicaSet asks for. */
  private void syncPods(ReplicaSet rs) {
    List<Pod> pods = podsOf(rs);
    int want = specReplicas(rs);
    String ns = rs.getMetadata().getNamespace();
    for (int i = pods.size(); i < want; i++) {
      Pod pod = newPod(rs, pods);
      Pod created = write(pod, () -> client.pods().inNamespace(ns).resource(pod).create());
      if (created == null) {
        return;
      }
      startedAt.put(key(created), clock.get());
      pods.add(created);
    }
    if (pods.size() > want) {
      // As Kubernetes: pods not ready go first, then the youngest.
      List<Pod> victims = new ArrayList<>(pods);
      victims.sort(Comparator.comparing((Pod p) -> Labels.isReady(p))
          .thenComparing(p -> startedAt.getOrDefault(key(p), Instant.MIN), Comparator.reverseOrder())
          .thenComparing(p -> p.getMetadata().getName(), Comparator.reverseOrder()));
      for (Pod p : victims.subList(0, pods.size() - want)) {
        delete(p);
      }
    }
  }

  private Pod newPod(ReplicaSet rs, List<Pod> existing) {
    String name;
    do {
      int n = podsMade.merge(rs.getMetadata().getName(), 1, Integer::sum);
      name = rs.getMetadata().getName() + "-" + PodTemplateHash.suffix(rs.getMetadata().getName() + "#" + n, 5);
    } while (nameTaken(existing, name));
    PodTemplateSpec t = rs.getSpec().getTemplate();
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(rs.getMetadata().getNamespace())
        .withLabels(t.getMetadata().getLabels())
        .withAnnotations(t.getMetadata().getAnnotations())
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
            .withName(rs.getMetadata().getName()).withUid(rs.getMetadata().getUid())
            .withController(true).withBlockOwnerDeletion(true).build())
        .endMetadata()
        .withSpec(t.getSpec())
        .withNewStatus().withPhase("Pending").withStartTime(clock.get().toString()).endStatus()
        .build();
  }

  private boolean nameTaken(List<Pod> pods, String name) {
    for (Pod p : pods) {
      if (p.getMetadata().getName().equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** Pods whose start-up delay has passed become Running and Ready. */
  private void markReadyPods(ReplicaSet rs, Instant now) {
    for (Pod p : podsOf(rs)) {
      Instant started = startedAt.computeIfAbsent(key(p), k -> now);
      if (Labels.isReady(p) || started.plus(startupDelay).isAfter(now)) {
        continue;
      }
      Instant ready = started.plus(startupDelay);
      Pod running = new PodBuilder(p).editOrNewStatus()
          .withPhase("Running")
          .withConditions(new PodConditionBuilder().withType("Ready").withStatus("True")
              .withLastTransitionTime(ready.toString()).build())
          .withContainerStatuses(containerStatuses(p))
          .endStatus().build();
      Pod written = write(running, () -> client.pods().inNamespace(p.getMetadata().getNamespace())
          .resource(running).updateStatus());
      if (written != null) {
        readyAt.put(key(written), ready);
      }
    }
  }

  private static List<io.fabric8.kubernetes.api.model.ContainerStatus> containerStatuses(Pod p) {
    List<io.fabric8.kubernetes.api.model.ContainerStatus> out = new ArrayList<>();
    for (Container c : p.getSpec().getContainers()) {
      out.add(new io.fabric8.kubernetes.api.model.ContainerStatusBuilder().withName(c.getName())
          .withImage(c.getImage()).withReady(true).withStarted(true).withRestartCount(0).build());
    }
    return out;
  }

  private ReplicaSet writeReplicaSetStatus(ReplicaSet rs, int minReady, Instant now) {
    List<Pod> pods = podsOf(rs);
    int ready = (int) pods.stream().filter(Labels::isReady).count();
    int available = (int) pods.stream().filter(p -> isAvailable(p, minReady, now)).count();
    ReplicaSetStatus status = new ReplicaSetStatusBuilder()
        .withReplicas(pods.size())
        .withFullyLabeledReplicas(pods.size())
        .withReadyReplicas(ready)
        .withAvailableReplicas(available)
        .withObservedGeneration(rs.getMetadata().getGeneration())
        .build();
    if (status.equals(rs.getStatus())) {
      return rs;
    }
    ReplicaSet withStatus = new ReplicaSetBuilder(rs).withStatus(status).build();
    ReplicaSet written = write(withStatus, () -> client.apps().replicaSets()
        .inNamespace(rs.getMetadata().getNamespace()).resource(withStatus).updateStatus());
    return written == null ? withStatus : written;
  }

  private void writeDeploymentStatus(Deployment d, List<ReplicaSet> sets, ReplicaSet newRs, int desired,
      int maxUnavailable, int minReady, Instant now) {
    int replicas = 0;
    int ready = 0;
    int available = 0;
    int specTotal = 0;
    for (ReplicaSet rs : sets) {
      List<Pod> pods = podsOf(rs);
      replicas += pods.size();
      ready += (int) pods.stream().filter(Labels::isReady).count();
      available += (int) pods.stream().filter(p -> isAvailable(p, minReady, now)).count();
      specTotal += specReplicas(rs);
    }
    int updated = podsOf(newRs).size();
    boolean complete = updated == desired && replicas == desired && available == desired;
    DeploymentStatus previous = d.getStatus();
    List<DeploymentCondition> conditions = List.of(
        condition(previous, "Available", available >= desired - maxUnavailable,
            available >= desired - maxUnavailable ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
            available >= desired - maxUnavailable ? "Deployment has minimum availability."
                : "Deployment does not have minimum availability.", now),
        condition(previous, "Progressing", true,
            complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
            "ReplicaSet \"" + newRs.getMetadata().getName() + "\" "
                + (complete ? "has successfully progressed." : "is progressing."), now));
    DeploymentStatus status = new DeploymentStatusBuilder()
        .withObservedGeneration(d.getMetadata().getGeneration())
        .withReplicas(replicas)
        .withUpdatedReplicas(updated)
        .withReadyReplicas(ready)
        .withAvailableReplicas(available)
        .withUnavailableReplicas(Math.max(0, specTotal - available))
        .withConditions(conditions)
        .build();
    if (status.equals(previous)) {
      return;
    }
    Deployment withStatus = new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder(d).withStatus(status).build();
    write(withStatus, () -> client.apps().deployments().inNamespace(d.getMetadata().getNamespace())
        .resource(withStatus).updateStatus());
  }

  /** A condition that keeps its transition time while its status stays the same. */
  private static DeploymentCondition condition(DeploymentStatus previous, String type, boolean isTrue,
      String reason, String message, Instant now) {
    String status = isTrue ? "True" : "False";
    String since = now.toString();
    if (previous != null && previous.getConditions() != null) {
      for (DeploymentCondition c : previous.getConditions()) {
        if (type.equals(c.getType()) && status.equals(c.getStatus())) {
          since = c.getLastTransitionTime();
          if (reason.equals(c.getReason())) {
            return c;
          }
        }
      }
    }
    return new DeploymentConditionBuilder().withType(type).withStatus(status).withReason(reason)
        .withMessage(message).withLastTransitionTime(since).withLastUpdateTime(now.toString()).build();
  }

  /** What a deleted Deployment owned goes too, as the garbage collector does. */
  private void collectGarbage() {
    java.util.Set<String> alive = new java.util.HashSet<>();
    state.<Deployment>all(Kind.DEPLOYMENT).forEach(d -> alive.add(Labels.identity(d)));
    for (ReplicaSet rs : new ArrayList<>(state.<ReplicaSet>all(Kind.REPLICA_SET))) {
      if (Labels.owner(rs).isPresent() && isOwnedByKind(rs, "Deployment") && !alive.contains(Labels.owner(rs).get())) {
        delete(rs);
      }
    }
    java.util.Set<String> sets = new java.util.HashSet<>();
    state.<ReplicaSet>all(Kind.REPLICA_SET).forEach(rs -> sets.add(Labels.identity(rs)));
    for (Pod p : new ArrayList<>(state.<Pod>all(Kind.POD))) {
      if (Labels.owner(p).isPresent() && isOwnedByKind(p, "ReplicaSet") && !sets.contains(Labels.owner(p).get())) {
        delete(p);
      }
    }
  }

  private static boolean isOwnedByKind(HasMetadata o, String kind) {
    return o.getMetadata().getOwnerReferences().stream().anyMatch(r -> kind.equals(r.getKind()));
  }

  private void delete(HasMetadata o) {
    writes++;
    try {
      client.resource(o).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
    state.remove(o);
    startedAt.remove(key(o));
    readyAt.remove(key(o));
  }

  /** Writes and records the answer; on a stale resourceVersion, asks for a fresh read instead. */
  private <T extends HasMetadata> T write(T intended, Supplier<T> call) {
    try {
      T written = call.get();
      state.put(written);
      writes++;
      return written;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        state.markDirty(intended);
        conflicted = true;
        return null;
      }
      throw e;
    }
  }

  /** Wakes the simulation when the next pod becomes ready or available. */
  private void scheduleNextChange(Instant now) {
    Instant next = null;
    for (Pod p : state.<Pod>all(Kind.POD)) {
      Instant started = startedAt.get(key(p));
      if (started == null) {
        continue;
      }
      Instant due = null;
      if (!Labels.isReady(p)) {
        due = started.plus(startupDelay);
      } else {
        Instant ready = readyAt.get(key(p));
        int minReady = minReadySeconds(p);
        if (ready != null && minReady > 0 && ready.plusSeconds(minReady).isAfter(now)) {
          due = ready.plusSeconds(minReady);
        }
      }
      if (due != null && (next == null || due.isBefore(next))) {
        next = due;
      }
    }
    nextChange = next;
    if (next != null) {
      wakeUpAt.accept(next);
    }
  }

  private int minReadySeconds(Pod p) {
    String rsUid = Labels.owner(p).orElse(null);
    for (ReplicaSet rs : state.<ReplicaSet>inNamespace(Kind.REPLICA_SET, p.getMetadata().getNamespace())) {
      if (Objects.equals(Labels.identity(rs), rsUid)) {
        return Optional.ofNullable(rs.getSpec().getMinReadySeconds()).orElse(0);
      }
    }
    return 0;
  }

  private static String key(HasMetadata o) {
    return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }
}
