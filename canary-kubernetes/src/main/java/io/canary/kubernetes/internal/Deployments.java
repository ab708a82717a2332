package io.canary.kubernetes.internal;

import io.canary.kubernetes.CanaryLabels;
import io.canary.core.CanarySpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the SDK reads off Deployments and their ReplicaSets. */
final class Deployments {
  private Deployments() {}

  static boolean createdFor(Deployment d, CanarySpec spec) {
    return CanaryLabels.createdFor(d, spec.name());
  }

  static Map<String, String> matchLabels(Deployment d) {
    LabelSelector s = d.getSpec().getSelector();
    return s == null || s.getMatchLabels() == null ? Map.of() : s.getMatchLabels();
  }

  static String templateLabel(Deployment d, String key) {
    PodTemplateSpec t = d.getSpec().getTemplate();
    return t == null || t.getMetadata() == null ? null : valueOf(t.getMetadata().getLabels(), key);
  }

  static String valueOf(Map<String, String> map, String key) {
    return map == null ? null : map.get(key);
  }

  static int replicasOf(Deployment d) {
    // The API server defaults an absent replica count to 1.
    return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
  }

  /** The ReplicaSet of the Deployment's current template, among the ones it controls. */
  static Optional<ReplicaSet> currentReplicaSet(Deployment d, List<ReplicaSet> owned) {
    String revision = valueOf(d.getMetadata().getAnnotations(), CanaryLabels.DEPLOYMENT_REVISION);
    if (revision != null) {
      Optional<ReplicaSet> byRevision = owned.stream()
          .filter(rs -> revision.equals(valueOf(rs.getMetadata().getAnnotations(), CanaryLabels.DEPLOYMENT_REVISION)))
          .findFirst();
      if (byRevision.isPresent()) {
        return byRevision;
      }
    }
    String hash = RevisionHash.of(d.getSpec().getTemplate());
    return owned.stream().filter(rs -> hash.equals(RevisionHash.of(rs.getSpec().getTemplate()))).findFirst();
  }

  /** The revision hash a Deployment runs: its revision label, else its pod-template-hash, else its digest. */
  static String revisionHash(Deployment d, List<ReplicaSet> owned) {
    String label = templateLabel(d, CanaryLabels.REVISION);
    if (label != null) {
      return label;
    }
    return currentReplicaSet(d, owned)
        .map(rs -> rs.getMetadata().getLabels().get(CanaryLabels.POD_TEMPLATE_HASH))
        .orElseGet(() -> RevisionHash.of(d.getSpec().getTemplate()));
  }

  static <T> T copy(T value, Class<T> type) {
    return JsonPatch.MAPPER.convertValue(value, type);
  }
}
