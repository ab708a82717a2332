package io.canary.gatewayapi;

import io.canary.core.HeaderRoute;
import io.canary.core.MirrorRoute;
import io.canary.core.RouteMatch;
import io.canary.core.StringMatch;
import io.canary.core.spi.RoutingState;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The routing states the runner asks for along a rollout (see RolloutMachine), with the label
 * convention of canary-kubernetes: each revision's pods carry {@code pod-template-hash}.
 */
final class States {
  static final Map<String, String> STABLE_LABELS = Map.of("pod-template-hash", "6d5b8c7f9");
  static final Map<String, String> CANARY_LABELS = Map.of("pod-template-hash", "7c9f4d2b1");
  static final Set<String> KEYS = Set.of("pod-template-hash");
  static final RouteMatch X_CANARY = RouteMatch.header("x-canary", StringMatch.exact("always"));
  static final HeaderRoute HEADER = new HeaderRoute("canary-header", List.of(X_CANARY), 100);
  static final MirrorRoute MIRROR = new MirrorRoute("canary-mirror", List.of(RouteMatch.builder().uri(StringMatch.prefix("/")).build()), 10);

  private States() {}

  /** A setWeight step: each Service narrowed to its revision's pods. */
  static RoutingState during(int canaryWeight) {
    return RoutingState.builder().canaryWeight(canaryWeight).stableLabels(STABLE_LABELS).canaryLabels(CANARY_LABELS).managedLabelKeys(KEYS).build();
  }

  static RoutingState during(int canaryWeight, List<HeaderRoute> headers, List<MirrorRoute> mirrors) {
    return RoutingState.builder().from(during(canaryWeight)).headerRoutes(headers).mirrorRoutes(mirrors).build();
  }

  /** Promotion under way: the stable Service selects every pod of the stable Deployment while it rolls. */
  static RoutingState promoting(int canaryWeight) {
    return RoutingState.builder().canaryWeight(canaryWeight).canaryLabels(CANARY_LABELS).managedLabelKeys(KEYS).build();
  }

  /** Promoted: all traffic on stable, whose pods now are the canary's revision. */
  static RoutingState promoted() {
    return RoutingState.builder().canaryWeight(0).stableLabels(CANARY_LABELS).canaryLabels(CANARY_LABELS).managedLabelKeys(KEYS).build();
  }

  /** The end of a rollout: no weight to the canary, the owned label keys given back. */
  static RoutingState released() {
    return RoutingState.builder().canaryWeight(0).managedLabelKeys(KEYS).build();
  }
}
