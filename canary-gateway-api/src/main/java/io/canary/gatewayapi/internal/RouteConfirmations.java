package io.canary.gatewayapi.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canary.core.CanaryValidationException;
import io.canary.core.spi.RoutingConfirmation;
import io.canary.core.spi.RoutingState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether the Gateway API implementation has taken up a route as the router wrote it: the route the
 * watch shows carries the applied state (when the router wrote one), and every parent in its {@code status.parents} says
 * {@code Accepted=True} and {@code ResolvedRefs=True} for the route's current generation (or a later one).
 */
final class RouteConfirmations {
  static final String ACCEPTED = "Accepted";
  static final String RESOLVED_REFS = "ResolvedRefs";

  private RouteConfirmations() {}

  static RoutingConfirmation of(RouteFields fields, Optional<ObjectNode> seen, Optional<RoutingState> applied) {
    RouteKey key = fields.key();
    if (seen.isEmpty()) {
      return RoutingConfirmation.pending("RouteNotSeen", key + ": the watch has not seen the route");
    }
    ObjectNode route = seen.get();
    if (applied.isPresent()) {
      ObjectNode carrying = route.deepCopy();
      try {
        fields.apply(carrying, applied.get());
      } catch (CanaryValidationException e) {
        return RoutingConfirmation.pending("RouteChanged", key + " no longer fits the rollout: " + e.problems());
      }
      if (!Json.same(carrying.path("spec"), route.path("spec"))) {
        return RoutingConfirmation.pending("WriteNotSeen", key + ": the watch does not show canary weight "
            + applied.get().canaryWeight() + " yet");
      }
    }
    long generation = Json.generation(route);
    List<String> refusals = new ArrayList<>();
    String firstReason = null;
    List<String> waiting = new ArrayList<>();
    List<ObjectNode> statuses = Json.objects(route.path("status"), "parents");
    for (ObjectNode parent : Json.objects(route.path("spec"), "parentRefs")) {
      String who = Refs.describeParent(parent, key.namespace());
      Optional<ObjectNode> status = statuses.stream()
          .filter(s -> Refs.sameParent(s.path("parentRef"), parent, key.namespace())).findFirst();
      if (status.isEmpty()) {
        waiting.add(who + " has written no status for the route");
        continue;
      }
      for (String type : List.of(ACCEPTED, RESOLVED_REFS)) {
        Optional<ObjectNode> condition = Json.objects(status.get(), "conditions").stream()
            .filter(c -> type.equals(Json.text(c, "type", ""))).findFirst();
        if (condition.isEmpty()) {
          waiting.add(who + " has no " + type + " condition yet");
          break;
        }
        long observed = condition.get().path("observedGeneration").asLong(0);
        String state = Json.text(condition.get(), "status", "Unknown");
        if (observed < generation) {
          waiting.add(who + " has judged generation " + observed + " only (" + type + "=" + state + ")");
          break;
        }
        if (state.equals("False")) {
          String reason = Json.text(condition.get(), "reason", type + "False");
          firstReason = firstReason == null ? reason : firstReason;
          refusals.add(who + " says " + type + "=False, reason " + reason + ": " + Json.text(condition.get(), "message", ""));
          break;
        }
        if (!state.equals("True")) {
          waiting.add(who + " says " + type + "=" + state);
          break;
        }
      }
    }
    if (!refusals.isEmpty()) {
      return RoutingConfirmation.refused(firstReason, key + " generation " + generation + " is refused: " + String.join("; ", refusals));
    }
    if (!waiting.isEmpty()) {
      return RoutingConfirmation.pending("AwaitingRouteStatus", key + " generation " + generation
          + " is not confirmed by every parent yet: " + String.join("; ", waiting));
    }
    return RoutingConfirmation.confirmed();
  }

  /** Refused when one route is, pending when one is, confirmed when all are. */
  static RoutingConfirmation all(List<RoutingConfirmation> routes) {
    Optional<RoutingConfirmation> refused = routes.stream().filter(c -> c.state() == RoutingConfirmation.State.REFUSED).findFirst();
    if (refused.isPresent()) {
      return refused.get();
    }
    List<RoutingConfirmation> pending = routes.stream().filter(c -> c.state() == RoutingConfirmation.State.PENDING).toList();
    if (pending.isEmpty()) {
      return RoutingConfirmation.confirmed();
    }
    return RoutingConfirmation.pending(pending.get(0).reason(),
        String.join("; ", pending.stream().map(RoutingConfirmation::message).toList()));
  }
}
