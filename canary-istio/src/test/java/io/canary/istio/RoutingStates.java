package io.canary.istio;

import io.canary.core.spi.RoutingState;
import java.util.Map;
import java.util.Set;

/**
 * The routing states the runner asks for along a rollout, with the revision label convention: the
 * stable pods carry {@code pod-template-hash}, the canary pods {@code canary.io/revision}.
 */
final class RoutingStates {
  static final String STABLE_HASH = "6d5b8c7f9";
  static final String CANARY_HASH = "7c9f4d2b1";
  static final Map<String, String> STABLE_LABELS = Map.of("pod-template-hash", STABLE_HASH);
  static final Map<String, String> CANARY_LABELS = Map.of("canary.io/revision", CANARY_HASH);
  static final Set<String> KEYS = Set.of("pod-template-hash", "canary.io/revision");

  private RoutingStates() {}

  /** A setWeight step: each subset or selector narrowed to its revision's pods. */
  static RoutingState during(int canaryWeight) {
    return RoutingState.builder().canaryWeight(canaryWeight).stableLabels(STABLE_LABELS).canaryLabels(CANARY_LABELS).managedLabelKeys(KEYS).build();
  }

  /** After promotion: all traffic on stable, whose pods now are the canary's revision. */
  static RoutingState promoted() {
    return RoutingState.builder().canaryWeight(0).stableLabels(CANARY_LABELS).canaryLabels(CANARY_LABELS).managedLabelKeys(KEYS).build();
  }

  /** The end of a rollout: the owned label keys given back. */
  static RoutingState released() {
    return RoutingState.builder().canaryWeight(0).managedLabelKeys(KEYS).build();
  }
}
