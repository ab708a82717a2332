package io.canary.kubernetes;

import io.canary.client.FieldManager;
import io.canary.core.CanaryException;
import io.canary.core.ConflictException;
import io.canary.core.Revision;
import io.canary.core.RolloutKey;
import io.canary.core.RolloutStatus;
import io.canary.core.spi.StateStore;
import io.canary.core.spi.Versioned;
import io.canary.core.StatusDocument;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each rollout's status in a ConfigMap of its own, {@code canary-rollout-<name>} in the rollout's
 * namespace, as JSON under {@code status.json}; the ConfigMap's resourceVersion is the version.
 *
 * <p>One ConfigMap per rollout rather than one per namespace: every save is a compare-and-set, and with
 * one object per rollout two rollouts of a namespace never conflict with each other (a thousand rollouts
 * would otherwise contend on one object), each object stays small, and forgetting a rollout is deleting
 * one object. The ConfigMaps carry the label {@code canary.io/rollout-state=true}, which {@link #list()}
 * selects on.
 *
 * <p>Retention: the statuses of ended rollouts (Succeeded, Aborted, Failed) are kept, per target, for the
 * last {@value #DEFAULT_ENDED_KEPT_PER_TARGET} rollouts that ended ({@link #keepingEnded(int)}); when a
 * rollout ends, the status ConfigMaps of older ended rollouts of the same target in its namespace are
 * deleted. The target is the workload the ended status names as stable (the target Deployment; with
 * {@code NewRevision.existingWorkload}, the Deployment a success made stable), put on its ConfigMap as the
 * label {@code canary.io/ended-target}, which the clean-up selects on; an ended status that names
 * none (a rollout that failed before it learned its revisions) is kept. A status under way is never
 * deleted, and one a new release took over meanwhile is not either (the delete is guarded by the
 * resourceVersion that was listed). One ConfigMap per rollout name: a new release of the same rollout
 * replaces its ended status anyway.
 *
 * <p>Requests: a save is one write (a create, then a PUT with the resourceVersion this store last wrote
 * or the runner loaded; no read before it: a conflict answers 409, and the runner reads again). The
 * clean-up lists only when the ended statuses of the target may exceed the limit: the store counts them
 * per target, from one list of the namespace's ended statuses (label {@code canary.io/ended-target}) at
 * its first clean-up there, then from its own saves (a rollout that ends, one that starts again, one
 * deleted). Ended statuses another runner saves since are not in that count: each runner trims on its
 * own count, so with several runners on one namespace a target may keep more than the limit until one of
 * them lists it again. Nothing is deleted but from a fresh list, as before.
 *
 * <pre>{@code
 * StateStore store = ConfigMapStateStore.create(client, "shop", "payments"); // a namespaced Role suffices
 * StateStore store = ConfigMapStateStore.clusterWide(client);              // lists in every namespace: a ClusterRole
 * }</pre>
 */
public final class ConfigMapStateStore implements StateStore {
  public static final String DATA_KEY = "status.json";
  /** How many ended rollouts' statuses are kept per target unless {@link #keepingEnded(int)} says otherwise. */
  public static final int DEFAULT_ENDED_KEPT_PER_TARGET = 10;
  private static final Logger LOG = LoggerFactory.getLogger(ConfigMapStateStore.class);
  private static final String PREFIX = "canary-rollout-";

  private final KubernetesClient client;
  private final List<String> namespaces;
  private final int endedKeptPerTarget;
  /**
   * Per namespace (once its ended statuses were listed), per target, the rollouts whose ended status
   * names it: what the clean-up counts before it lists. Guarded by itself.
   */
  private final Map<String, Map<String, Set<String>>> endedByTarget = new HashMap<>();

  private ConfigMapStateStore(KubernetesClient client, List<String> namespaces, int endedKeptPerTarget) {
    this.client = FieldManager.client(Objects.requireNonNull(client, "client"));
    this.namespaces = List.copyOf(namespaces);
    this.endedKeptPerTarget = endedKeptPerTarget;
  }

  /**
   * A store whose {@link #list()} looks only in {@code namespaces} (at least one): a Role in each of
   * them suffices, and {@code resumeAll} resumes only their rollouts.
   */
  public static ConfigMapStateStore create(KubernetesClient client, String... namespaces) {
    if (namespaces.length == 0) {
      throw new IllegalArgumentException("ConfigMapStateStore.create: name the namespace (or namespaces) whose rollouts"
          + " it keeps, or ask for clusterWide(client), which lists ConfigMaps in every namespace (a ClusterRole)");
    }
    for (String namespace : namespaces) {
      if (namespace == null || namespace.isBlank()) {
        throw new IllegalArgumentException("ConfigMapStateStore.create: a namespace is empty in " + Arrays.toString(namespaces));
      }
    }
    return new ConfigMapStateStore(client, Arrays.asList(namespaces), DEFAULT_ENDED_KEPT_PER_TARGET);
  }

  /**
   * A store whose {@link #list()} looks in every namespace: the runner then needs to list ConfigMaps
   * cluster-wide (a ClusterRole), and {@code resumeAll} resumes every team's rollouts. Prefer
   * {@link #create(KubernetesClient, String...)}.
   */
  public static ConfigMapStateStore clusterWide(KubernetesClient client) {
    return new ConfigMapStateStore(client, List.of(), DEFAULT_ENDED_KEPT_PER_TARGET);
  }

  /**
   * This store, keeping the statuses of the last {@code perTarget} ended rollouts of each target (at
   * least 1: the one that just ended; {@code Integer.MAX_VALUE} keeps them all).
   */
  public ConfigMapStateStore keepingEnded(int perTarget) {
    if (perTarget < 1) {
      throw new IllegalArgumentException("ConfigMapStateStore.keepingEnded: keep at least 1 ended rollout per target"
          + " (the one that just ended), was " + perTarget);
    }
    return new ConfigMapStateStore(client, namespaces, perTarget);
  }

  /** How many ended rollouts' statuses this store keeps per target. */
  public int endedKeptPerTarget() {
    return endedKeptPerTarget;
  }

  /** The ConfigMap that holds a rollout's status. */
  public static String configMapName(RolloutKey key) {
    return PREFIX + key.name();
  }

  @Override
  public Optional<Versioned<RolloutStatus>> load(RolloutKey key) {
    ConfigMap cm = client.configMaps().inNamespace(key.namespace()).withName(configMapName(key)).get();
    if (cm == null) {
      return Optional.empty();
    }
    requireOurs(cm, key);
    String json = cm.getData() == null ? null : cm.getData().get(DATA_KEY);
    if (json == null) {
      throw new CanaryException(where(key) + " has no '" + DATA_KEY + "' entry; delete it to start the rollout afresh");
    }
    return Optional.of(new Versioned<>(StatusDocument.read(json, where(key)), cm.getMetadata().getResourceVersion()));
  }

  @Override
  public String compareAndSet(RolloutKey key, Optional<String> expectedVersion, RolloutStatus status) {
    if (!status.key().equals(key)) {
      throw new IllegalArgumentException("status of rollout " + status.key() + " cannot be stored as rollout " + key);
    }
    ConfigMap cm = new ConfigMapBuilder()
        .withNewMetadata()
        .withName(configMapName(key))
        .withNamespace(key.namespace())
        .withResourceVersion(expectedVersion.orElse(null))
        .withLabels(CanaryLabels.forRollout(key.name())).addToLabels(CanaryLabels.ROLLOUT_STATE, "true")
        .addToLabels(endedTargetLabel(status))
        .endMetadata()
        .withData(Map.of(DATA_KEY, StatusDocument.write(status)))
        .build();
    var configMaps = client.configMaps().inNamespace(key.namespace());
    try {
      ConfigMap stored = expectedVersion.isEmpty()
          ? configMaps.resource(cm).create()
          // A PUT carrying the expected resourceVersion: the API server refuses it once anyone else wrote.
          : configMaps.resource(cm).update();
      if (status.phase().isTerminal()) {
        forgetOlderEnded(key, status);
      } else {
        notEnded(key);
      }
      return stored.getMetadata().getResourceVersion();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT || e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        throw new ConflictException("the status of rollout " + key + " in " + where(key) + " is not at version "
            + expectedVersion.orElse("(none: first save)") + " any more; another runner saved or deleted it");
      }
      throw e;
    }
  }

  @Override
  public List<RolloutKey> list() {
    Stream<ConfigMap> found = namespaces.isEmpty()
        ? client.configMaps().inAnyNamespace().withLabel(CanaryLabels.ROLLOUT_STATE, "true").list().getItems().stream()
        : namespaces.stream().flatMap(ns ->
            client.configMaps().inNamespace(ns).withLabel(CanaryLabels.ROLLOUT_STATE, "true").list().getItems().stream());
    List<RolloutKey> keys = new ArrayList<>();
    found.forEach(cm -> {
      String rollout = cm.getMetadata().getLabels().get(CanaryLabels.ROLLOUT);
      if (rollout != null && configMapName(RolloutKey.of(cm.getMetadata().getNamespace(), rollout))
          .equals(cm.getMetadata().getName())) {
        keys.add(RolloutKey.of(cm.getMetadata().getNamespace(), rollout));
      }
    });
    keys.sort(null);
    return keys;
  }

  @Override
  public void delete(RolloutKey key) {
    var resource = client.configMaps().inNamespace(key.namespace()).withName(configMapName(key));
    ConfigMap cm = resource.get();
    if (cm != null) {
      requireOurs(cm, key);
      resource.delete();
      notEnded(key);
    }
  }

  /**
   * Deletes the status ConfigMaps of the ended rollouts of {@code ended}'s target beyond the newest
   * {@link #endedKeptPerTarget}. The status was saved: a failure here is logged, never thrown.
   */
  private void forgetOlderEnded(RolloutKey key, RolloutStatus ended) {
    Optional<String> target = targetOf(ended);
    if (target.isEmpty() || endedKeptPerTarget == Integer.MAX_VALUE) {
      return;
    }
    if (isLabelValue(target.get()) && withinLimit(key, target.get())) {
      return;
    }
    try {
      var configMaps = client.configMaps().inNamespace(key.namespace());
      var statuses = configMaps.withLabel(CanaryLabels.ROLLOUT_STATE, "true");
      // The label selects the candidates; a name too long for a label value means reading them all.
      var candidates = isLabelValue(target.get()) ? statuses.withLabel(CanaryLabels.ENDED_TARGET, target.get()) : statuses;
      record Ended(ConfigMap configMap, RolloutStatus status) {}
      List<Ended> sameTarget = new ArrayList<>();
      for (ConfigMap cm : candidates.list().getItems()) {
        String rollout = cm.getMetadata().getLabels() == null ? null : cm.getMetadata().getLabels().get(CanaryLabels.ROLLOUT);
        String json = cm.getData() == null ? null : cm.getData().get(DATA_KEY);
        if (rollout == null || json == null || rollout.equals(key.name())
            || !configMapName(RolloutKey.of(key.namespace(), rollout)).equals(cm.getMetadata().getName())) {
          continue;
        }
        RolloutStatus status;
        try {
          status = StatusDocument.read(json, "ConfigMap " + key.namespace() + "/" + cm.getMetadata().getName());
        } catch (RuntimeException unreadable) {
          continue; // not ours to judge: load() reports it when that rollout is asked for
        }
        if (status.phase().isTerminal() && targetOf(status).equals(target)) {
          sameTarget.add(new Ended(cm, status));
        }
      }
      sameTarget.sort(Comparator.comparing((Ended e) -> e.status().lastTransitionTime()).reversed()
          .thenComparing(e -> e.configMap().getMetadata().getName()));
      // The rollout that just ended is the newest; the others fill the rest of the quota.
      int kept = Math.min(sameTarget.size(), endedKeptPerTarget - 1);
      Set<String> keptNames = new HashSet<>(List.of(key.name()));
      sameTarget.subList(0, kept).forEach(e -> keptNames.add(e.status().name()));
      counted(key.namespace(), target.get(), keptNames);
      for (Ended old : sameTarget.subList(kept, sameTarget.size())) {
        ObjectMeta meta = old.configMap().getMetadata();
        try {
          // Guarded by the listed resourceVersion: a new release of that rollout saved meanwhile is kept.
          configMaps.withName(meta.getName()).lockResourceVersion(meta.getResourceVersion()).delete();
          LOG.info("Rollout {}: deleted the status of {} ({} {}), ended before the last {} ended rollouts of {}",
              key, old.status().key(), old.status().phase().displayName(), old.status().lastTransitionTime(),
              endedKeptPerTarget, target.get());
        } catch (KubernetesClientException e) {
          if (e.getCode() != HttpURLConnection.HTTP_CONFLICT && e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
            throw e;
          }
        }
      }
    } catch (RuntimeException e) {
      // The status is saved; a clean-up that failed (no list or delete allowed, an API fault) must not undo that.
      String cause = e instanceof KubernetesClientException k ? "HTTP " + k.getCode() + ": " + k.getMessage() : e.toString();
      LOG.warn("Rollout {}: could not delete the statuses of older ended rollouts of {} in {} ({}); they are"
          + " tried again when the next rollout of it ends", key, target.get(), key.namespace(), cause);
    }
  }

  /**
   * True when the ended statuses of {@code target} in the rollout's namespace, the one that just ended
   * counted, are known to be within the limit: then the clean-up needs no list. The first time in a
   * namespace, its ended statuses are listed once (by label) to learn the count; a list that fails
   * leaves the count unknown, and the clean-up lists the target as before.
   */
  private boolean withinLimit(RolloutKey key, String target) {
    synchronized (endedByTarget) {
      if (!endedByTarget.containsKey(key.namespace())) {
        Map<String, Set<String>> census = new HashMap<>();
        try {
          for (ConfigMap cm : client.configMaps().inNamespace(key.namespace()).withLabel(CanaryLabels.ROLLOUT_STATE, "true")
              .withLabel(CanaryLabels.ENDED_TARGET).list().getItems()) {
            Map<String, String> labels = cm.getMetadata().getLabels();
            String rollout = labels.get(CanaryLabels.ROLLOUT);
            if (rollout != null && configMapName(RolloutKey.of(key.namespace(), rollout)).equals(cm.getMetadata().getName())) {
              census.computeIfAbsent(labels.get(CanaryLabels.ENDED_TARGET), t -> new HashSet<>()).add(rollout);
            }
          }
        } catch (RuntimeException e) {
          LOG.debug("Rollout {}: could not list the ended statuses of {} to count them: {}", key, key.namespace(), e.toString());
          return false;
        }
        endedByTarget.put(key.namespace(), census);
      }
      Map<String, Set<String>> byTarget = endedByTarget.get(key.namespace());
      byTarget.values().forEach(names -> names.remove(key.name()));
      Set<String> names = byTarget.computeIfAbsent(target, t -> new HashSet<>());
      names.add(key.name());
      return names.size() <= endedKeptPerTarget;
    }
  }

  /** After a clean-up listed {@code target}: the ended statuses it kept. */
  private void counted(String namespace, String target, Set<String> kept) {
    synchronized (endedByTarget) {
      Map<String, Set<String>> byTarget = endedByTarget.get(namespace);
      if (byTarget != null) {
        byTarget.put(target, kept);
      }
    }
  }

  /** A status saved under way, or deleted: no ended status of that rollout to count any more. */
  private void notEnded(RolloutKey key) {
    synchronized (endedByTarget) {
      Map<String, Set<String>> byTarget = endedByTarget.get(key.namespace());
      if (byTarget != null) {
        byTarget.values().forEach(names -> names.remove(key.name()));
      }
    }
  }

  /** The workload an ended status left stable. */
  private static Optional<String> targetOf(RolloutStatus status) {
    return status.stableRevision().map(Revision::workload);
  }

  private static Map<String, String> endedTargetLabel(RolloutStatus status) {
    return status.phase().isTerminal()
        ? targetOf(status).filter(ConfigMapStateStore::isLabelValue).map(t -> Map.of(CanaryLabels.ENDED_TARGET, t)).orElse(Map.of())
        : Map.of();
  }

  private static boolean isLabelValue(String value) {
    return value.length() <= 63 && value.matches("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");
  }

  private static void requireOurs(ConfigMap cm, RolloutKey key) {
    Map<String, String> labels = cm.getMetadata().getLabels();
    if (labels == null || !"true".equals(labels.get(CanaryLabels.ROLLOUT_STATE)) || !key.name().equals(labels.get(CanaryLabels.ROLLOUT))) {
      throw new CanaryException(where(key) + " exists but was not written by the Canary SDK (labels " + CanaryLabels.ROLLOUT_STATE
          + "=true and " + CanaryLabels.ROLLOUT + "=" + key.name() + " are missing); it is left alone: rename it");
    }
  }

  private static String where(RolloutKey key) {
    return "ConfigMap " + key.namespace() + "/" + configMapName(key);
  }
}
