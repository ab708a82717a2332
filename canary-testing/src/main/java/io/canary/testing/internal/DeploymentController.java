package io.canary.testing.internal;

import static io.canary.testing.internal.ReplicaSetController.specReplicas;

import io.canary.testing.internal.ClusterState.Kind;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The Deployment controller, on virtual time: a ReplicaSet per pod template
 * ({@code <deployment>-<pod-template-hash>}, owned by the Deployment, with the revision annotation),
 * scaled within maxSurge and maxUnavailable for a rolling update, or all old pods gone first for
 * Recreate. Each pass also runs the {@link ReplicaSetController} on its ReplicaSets, the
 * {@link GarbageCollector} and the {@link DeploymentStatusWriter}. It works from the {@link
 * ClusterState} and writes only what changed.
 */
public final class DeploymentController {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DeploymentController.class);
  public static final String HASH_LABEL = "pod-template-hash";
  public static final String REVISION_ANNOTATION = "deployment.kubernetes.io/revision";

  private final ClusterState state;
  private final KubernetesClient client;
  private final Supplier<Instant> clock;
  private final Consumer<Instant> wakeUpAt;
  private final PodTimes times;
  private final ControllerWrites writes;
  private final ReplicaSetController replicaSets;
  private final DeploymentStatusWriter statuses;
  private final Map<String, String[]> templateHashes = new HashMap<>();
  private long settledVersion = -1;
  private Instant nextChange;

  public DeploymentController(ClusterState state, KubernetesClient client, Supplier<Instant> clock,
      Duration startupDelay, Consumer<Instant> wakeUpAt) {
    this.state = state;
    this.client = client;
    this.clock = clock;
    this.wakeUpAt = wakeUpAt;
    this.times = new PodTimes(state, startupDelay);
    this.writes = new ControllerWrites(state, client, times::forget);
    this.replicaSets = new ReplicaSetController(state, writes, times, clock);
    this.statuses = new DeploymentStatusWriter(writes, replicaSets);
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
    writes.startReconcile();
    // A pass acts on what the previous one wrote (a new ReplicaSet, then its pods' statuses).
    for (int pass = 0; pass < 5 && !writes.conflicted(); pass++) {
      writes.startPass();
      GarbageCollector.collect(state, writes);
      List<Deployment> deployments = new ArrayList<>(state.<Deployment>all(Kind.DEPLOYMENT));
      deployments.sort(Comparator.comparing((Deployment d) -> d.getMetadata().getNamespace())
          .thenComparing(d -> d.getMetadata().getName()));
      for (Deployment d : deployments) {
        reconcile(d, now);
      }
      if (writes.count() == 0) {
        break;
      }
    }
    settledVersion = writes.conflicted() ? -1 : state.version();
    scheduleNextChange(now);
    return writes.conflicted();
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
    List<ReplicaSet> owned = state.ownedBy(d, Kind.REPLICA_SET);
    ReplicaSet newRs = owned.stream().filter(rs -> hash.equals(Labels.of(rs).get(HASH_LABEL))).findFirst().orElse(null);
    List<ReplicaSet> old = new ArrayList<>(owned);
    old.remove(newRs);
    old.sort(Comparator.comparingLong(DeploymentController::revision));
    int maxRevision = owned.stream().mapToInt(rs -> (int) revision(rs)).max().orElse(0);

    // Pods first: readiness is what the rolling update waits for.
    for (ReplicaSet rs : owned) {
      replicaSets.markReadyPods(rs, now);
    }
    boolean recreate = d.getSpec().getStrategy() != null && "Recreate".equals(d.getSpec().getStrategy().getType());
    int surge = recreate ? 0 : fencepost(d, true, desired);
    int unavailable = recreate ? 0 : fencepost(d, false, desired);
    if (!recreate && surge == 0 && unavailable == 0) {
      unavailable = 1; // as Kubernetes resolves the fenceposts: a rollout must be able to move
    }
    int oldReplicas = old.stream().mapToInt(ReplicaSetController::specReplicas).sum();

    if (newRs == null) {
      int initial;
      if (recreate) {
        initial = oldReplicas == 0 && replicaSets.podsOf(old).isEmpty() ? desired : 0;
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
      newRs = writes.write(updated, c -> c.apps().replicaSets().inNamespace(ns).resource(updated).update());
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
      newReplicas = replicaSets.podsOf(old).isEmpty() ? desired : 0;
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
      int newUnavailable = Math.max(0, newReplicas - replicaSets.available(newRs, minReady, now));
      int maxScaledDown = newReplicas + oldReplicas - minAvailable - newUnavailable;
      // Old pods that are not available go first: removing them costs no availability.
      for (ReplicaSet rs : old) {
        if (maxScaledDown <= 0) {
          break;
        }
        int unhealthy = target.get(rs) - Math.min(target.get(rs), replicaSets.available(rs, minReady, now));
        int down = Math.min(maxScaledDown, unhealthy);
        target.put(rs, target.get(rs) - down);
        maxScaledDown -= down;
      }
      int availableTotal = Math.min(newReplicas, replicaSets.available(newRs, minReady, now));
      for (ReplicaSet rs : old) {
        availableTotal += Math.min(target.get(rs), replicaSets.available(rs, minReady, now));
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
      replicaSets.syncPods(rs);
      current.add(replicaSets.writeStatus(rs, minReady, now));
    }
    statuses.write(d, current, current.get(current.size() - 1), desired, unavailable, minReady, now);
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

  static long revision(ReplicaSet rs) {
    Map<String, String> a = rs.getMetadata().getAnnotations();
    String r = a == null ? null : a.get(REVISION_ANNOTATION);
    return r == null ? 0 : Long.parseLong(r);
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
    return writes.write(rs, c -> c.apps().replicaSets().inNamespace(ns).resource(rs).create());
  }

  private ReplicaSet scale(ReplicaSet rs, int replicas) {
    if (specReplicas(rs) == replicas) {
      return rs;
    }
    ReplicaSet scaled = new ReplicaSetBuilder(rs).editSpec().withReplicas(replicas).endSpec().build();
    return writes.write(scaled, c -> c.apps().replicaSets()
        .inNamespace(rs.getMetadata().getNamespace()).resource(scaled).update());
  }

  /** Wakes the simulation when the next pod becomes ready or available. */
  private void scheduleNextChange(Instant now) {
    nextChange = times.nextChange(now);
    if (nextChange != null) {
      wakeUpAt.accept(nextChange);
    }
  }
}
