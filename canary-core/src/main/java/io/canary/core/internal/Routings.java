package io.canary.core.internal;

import io.canary.core.CanarySpec;
import io.canary.core.HeaderRoute;
import io.canary.core.MirrorRoute;
import io.canary.core.Phase;
import io.canary.core.Revisions;
import io.canary.core.RolloutStatus;
import io.canary.core.Step;
import io.canary.core.spi.RoutingState;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** The routing states the machine asks for: weights, the revisions' labels and the managed routes in force. */
final class Routings {
  private Routings() {}

  /** What the routing objects carry at {@code weight} with the managed routes of the steps before {@code stepIndex}. */
  static RoutingState routing(RolloutStatus st, int weight, CanarySpec spec, int stepIndex) {
    Revisions revisions = st.revisions().orElseThrow(() -> new IllegalStateException(st.key() + " has no revisions yet"));
    boolean routesInForce = st.phase() == Phase.PROGRESSING || st.phase() == Phase.PAUSED;
    return RoutingState.builder()
        .canaryWeight(weight)
        .stableLabels(revisions.stable().podLabels())
        .canaryLabels(revisions.canary().podLabels())
        .managedLabelKeys(labelKeys(revisions))
        .headerRoutes(routesInForce ? headerRoutesInForce(spec, stepIndex) : List.of())
        .mirrorRoutes(routesInForce ? mirrorRoutesInForce(spec, stepIndex) : List.of())
        .build();
  }

  /** Weight 0, each side pinned to its revision's labels, no managed route: before the canary's first pod. */
  static RoutingState pinned(Revisions revisions) {
    return RoutingState.builder()
        .canaryWeight(0)
        .stableLabels(revisions.stable().podLabels())
        .canaryLabels(revisions.canary().podLabels())
        .managedLabelKeys(labelKeys(revisions))
        .build();
  }

  /** The routing objects as the user had them: no weight to the canary, no label the rollout added. */
  static RoutingState release(Revisions revisions) {
    return RoutingState.builder().canaryWeight(0).managedLabelKeys(labelKeys(revisions)).build();
  }

  static Set<String> labelKeys(Revisions revisions) {
    Set<String> keys = new LinkedHashSet<>(revisions.stable().podLabels().keySet());
    keys.addAll(revisions.canary().podLabels().keySet());
    return keys;
  }

  static List<HeaderRoute> headerRoutesInForce(CanarySpec spec, int stepIndex) {
    return inForce(spec, stepIndex, Step.SetHeaderRoute.class, Step.SetHeaderRoute::name,
        h -> h.matches().isEmpty() ? null : h.route());
  }

  static List<MirrorRoute> mirrorRoutesInForce(CanarySpec spec, int stepIndex) {
    return inForce(spec, stepIndex, Step.SetMirrorRoute.class, Step.SetMirrorRoute::name,
        m -> m.matches().isEmpty() ? null : m.route());
  }

  /** Routes set by steps of kind {@code S} before {@code stepIndex}; a step whose route is null removes its name. */
  private static <S extends Step, R> List<R> inForce(CanarySpec spec, int stepIndex, Class<S> kind,
      Function<S, String> name, Function<S, R> route) {
    Map<String, R> routes = new LinkedHashMap<>();
    for (Step s : spec.steps().subList(0, Math.min(stepIndex, spec.steps().size()))) {
      if (kind.isInstance(s)) {
        S step = kind.cast(s);
        R r = route.apply(step);
        if (r == null) {
          routes.remove(name.apply(step));
        } else {
          routes.put(name.apply(step), r);
        }
      }
    }
    return List.copyOf(routes.values());
  }
}
