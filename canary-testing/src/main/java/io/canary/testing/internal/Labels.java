package io.canary.testing.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.Map;
import java.util.Optional;

/** Label selection, ownership and pod readiness as Kubernetes defines them. */
public final class Labels {
  private Labels() {}

  public static Map<String, String> of(HasMetadata o) {
    Map<String, String> l = o.getMetadata().getLabels();
    return l == null ? Map.of() : l;
  }

  /** True when every entry of {@code required} is among {@code labels}. */
  public static boolean containsAll(Map<String, String> labels, Map<String, String> required) {
    for (Map.Entry<String, String> e : required.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** A LabelSelector's meaning; an empty or missing selector selects nothing, as for a Deployment. */
  public static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    Map<String, String> matchLabels = selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
    if (matchLabels.isEmpty() && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty())) {
      return false;
    }
    if (!containsAll(labels, matchLabels)) {
      return false;
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        String value = labels.get(r.getKey());
        boolean ok;
        switch (r.getOperator()) {
          case "In":
            ok = value != null && r.getValues().contains(value);
            break;
          case "NotIn":
            ok = value == null || !r.getValues().contains(value);
            break;
          case "Exists":
            ok = value != null;
            break;
          case "DoesNotExist":
            ok = value == null;
            break;
          default:
            throw new IllegalArgumentException("label selector operator '" + r.getOperator()
                + "' is not one of In, NotIn, Exists, DoesNotExist");
        }
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }

  /** The uid (or, when the server set none, the name) of {@code o}'s controlling owner. */
  public static Optional<String> owner(HasMetadata o) {
    if (o.getMetadata().getOwnerReferences() == null) {
      return Optional.empty();
    }
    for (OwnerReference r : o.getMetadata().getOwnerReferences()) {
      if (Boolean.TRUE.equals(r.getController()) || o.getMetadata().getOwnerReferences().size() == 1) {
        return Optional.of(r.getUid() != null ? r.getUid() : r.getName());
      }
    }
    return Optional.empty();
  }

  public static String identity(HasMetadata o) {
    return o.getMetadata().getUid() != null ? o.getMetadata().getUid() : o.getMetadata().getName();
  }

  /** When the pod last became Ready, if it is Ready. */
  public static Optional<java.time.Instant> readySince(Pod pod) {
    if (!isReady(pod)) {
      return Optional.empty();
    }
    for (PodCondition c : pod.getStatus().getConditions()) {
      if ("Ready".equals(c.getType()) && c.getLastTransitionTime() != null) {
        return Optional.of(instant(c.getLastTransitionTime()));
      }
    }
    return Optional.empty();
  }

  private static final Map<String, java.time.Instant> PARSED = new java.util.concurrent.ConcurrentHashMap<>();

  /** A timestamp the simulator wrote; parsed once, since the HPA asks for the same ones every sync. */
  public static java.time.Instant instant(String timestamp) {
    if (PARSED.size() > 100_000) {
      PARSED.clear();
    }
    return PARSED.computeIfAbsent(timestamp, java.time.Instant::parse);
  }

  public static boolean isReady(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null
        || pod.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    for (PodCondition c : pod.getStatus().getConditions()) {
      if ("Ready".equals(c.getType())) {
        return "True".equals(c.getStatus());
      }
    }
    return false;
  }
}
