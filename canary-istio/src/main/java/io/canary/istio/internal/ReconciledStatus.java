package io.canary.istio.internal;

import io.canary.core.spi.RoutingConfirmation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What istiod says of a VirtualService when its status feature is on ({@code PILOT_ENABLE_STATUS}):
 * {@code status.observedGeneration}, a {@code Reconciled} condition that turns True once the
 * configuration has reached every proxy, and the analysis' {@code validationMessages} (IST0101 a
 * referenced gateway or host not found, for example), of which an ERROR refuses the change.
 */
final class ReconciledStatus {
  private ReconciledStatus() {}

  static RoutingConfirmation of(ObjectRef ref, Optional<GenericKubernetesResource> seen, boolean carriesApplied) {
    if (seen.isEmpty()) {
      return RoutingConfirmation.pending("VirtualServiceNotSeen", ref + ": the watch has not seen it");
    }
    if (!carriesApplied) {
      return RoutingConfirmation.pending("WriteNotSeen", ref + ": the watch does not show the rollout's weights yet");
    }
    Long generation = seen.get().getMetadata().getGeneration();
    long written = generation == null ? 0 : generation;
    Map<String, Object> status = Trees.map(seen.get().getAdditionalProperties().get("status"));
    long observed = number(status.get("observedGeneration"));
    if (observed < written) {
      return RoutingConfirmation.pending("NotReconciled", ref + " generation " + written + ": istiod has reported on generation "
          + observed + " only" + (status.isEmpty() ? " (no status: is istiod's status feature, PILOT_ENABLE_STATUS, on?)" : ""));
    }
    List<Map<String, Object>> errors = Trees.maps(status, "validationMessages").stream()
        .filter(m -> "ERROR".equals(Trees.string(m, "level"))).toList();
    if (!errors.isEmpty()) {
      Map<String, Object> type = Trees.map(errors.get(0).get("type"));
      return RoutingConfirmation.refused(Optional.ofNullable(Trees.string(type, "code")).orElse("ValidationError"),
          ref + " generation " + written + ": Istio's analysis reports " + errors.stream().map(ReconciledStatus::describe).toList());
    }
    Optional<Map<String, Object>> reconciled = Trees.maps(status, "conditions").stream()
        .filter(c -> "Reconciled".equals(Trees.string(c, "type"))).findFirst();
    if (reconciled.isPresent() && "True".equals(Trees.string(reconciled.get(), "status"))) {
      return RoutingConfirmation.confirmed();
    }
    return RoutingConfirmation.pending("NotReconciled", ref + " generation " + written + " has not reached every proxy yet"
        + reconciled.map(c -> " (Reconciled=" + Trees.string(c, "status") + ": " + Trees.string(c, "message") + ")").orElse(""));
  }

  /** {@code IST0101 ReferencedResourceNotFound (ERROR, https://istio.io/...)}. */
  private static String describe(Map<String, Object> message) {
    Map<String, Object> type = Trees.map(message.get("type"));
    String url = Trees.string(message, "documentationUrl");
    return Trees.string(type, "code") + " " + Trees.string(type, "name") + " (" + Trees.string(message, "level")
        + (url == null ? "" : ", " + url) + ")";
  }

  /** Protobuf's JSON writes int64 as a string; a client may write a number. */
  private static long number(Object value) {
    if (value instanceof Number n) {
      return n.longValue();
    }
    try {
      return value == null ? 0 : Long.parseLong(value.toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
