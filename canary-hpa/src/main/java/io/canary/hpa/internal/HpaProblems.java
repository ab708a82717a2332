package io.canary.hpa.internal;

import io.canary.core.CanaryAutoscaler;
import io.canary.core.CanarySpec;
import io.canary.core.Problem;
import io.canary.core.Step;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** What would keep the autoscaler policy from running a rollout; found by reading only (from the cache). */
public final class HpaProblems {
  /** Where the spec names the autoscaler released with the new revision. */
  public static final String CANARY_AUTOSCALER = "scaling.canaryAutoscaler";

  private HpaProblems() {}

  /**
   * Every problem, {@code settingsType} being the one canary autoscaler type this adapter applies
   * (a spec whose {@code canaryAutoscaler} is of another type is refused).
   */
  public static List<Problem> of(CanarySpec spec, Hpas hpas, Class<? extends CanaryAutoscaler> settingsType) {
    List<Problem> problems = new ArrayList<>();
    Optional<CanaryAutoscaler> released = spec.scaling().canaryAutoscaler();
    released.filter(a -> !settingsType.isInstance(a)).ifPresent(a -> problems.add(Problem.of(CANARY_AUTOSCALER,
        "is a " + a.kind() + " (" + a.getClass().getName() + "); HpaAwareWorkloads applies "
            + settingsType.getSimpleName() + ": give HpaSettings.of(horizontalPodAutoscalerSpec)")));
    String kind = spec.target().kind();
    List<HorizontalPodAutoscaler> stableHpas = hpas.targeting(spec.namespace(), kind, spec.target().name());
    oneAutoscalerAtMost(spec, spec.target().name(), stableHpas, problems);
    if (spec.revision().existingWorkload().isPresent()) {
      String canary = spec.revision().existingWorkload().get();
      List<HorizontalPodAutoscaler> canaryHpas = hpas.targeting(spec.namespace(), kind, canary);
      oneAutoscalerAtMost(spec, canary, canaryHpas, problems);
      released.ifPresent(s -> problems.add(Problem.of(CANARY_AUTOSCALER,
          "a changed autoscaler is given, but the canary is the user's workload " + canary
              + " with the user's own autoscaler; change that autoscaler instead, or leave canaryAutoscaler out")));
      if (!canaryHpas.isEmpty()) {
        noFixedScaleOfZero(spec, problems);
      }
      return problems;
    }
    if (!stableHpas.isEmpty()) {
      canaryNameFree(spec, hpas, stableHpas.get(0), problems);
      noFixedScaleOfZero(spec, problems);
    } else if (released.isPresent()) {
      problems.add(Problem.of(CANARY_AUTOSCALER, "a changed autoscaler is given, but no HorizontalPodAutoscaler"
          + " sizes " + spec.target() + " in namespace " + spec.namespace()
          + "; create the stable workload's autoscaler first, so promotion has one to carry the spec to"));
    }
    return problems;
  }

  private static void oneAutoscalerAtMost(
      CanarySpec spec, String workload, List<HorizontalPodAutoscaler> hpas, List<Problem> problems) {
    if (hpas.size() > 1) {
      problems.add(Problem.of(spec.target().kind() + " " + spec.namespace() + "/" + workload,
          "is sized by " + hpas.size() + " HorizontalPodAutoscalers ("
              + hpas.stream().map(h -> h.getMetadata().getName()).collect(Collectors.joining(", "))
              + "); they would fight each other: keep exactly one"));
    }
  }

  /** An autoscaler keeps at least one pod: a setCanaryScale of 0 could never hold on an autoscaled canary. */
  private static void noFixedScaleOfZero(CanarySpec spec, List<Problem> problems) {
    for (int i = 0; i < spec.steps().size(); i++) {
      if (spec.steps().get(i) instanceof Step.SetCanaryScale scale
          && (scale.replicas().filter(r -> r == 0).isPresent() || scale.percent().filter(p -> p == 0).isPresent())) {
        problems.add(Problem.of("steps[" + i + "] (" + scale.describe() + ")", "fixes the canary at 0 pods, but an"
            + " autoscaler sizes the canary and keeps at least 1: fix at least 1 replica, or remove the canary's"
            + " traffic instead (setWeight 0)"));
      }
    }
  }

  private static void canaryNameFree(
      CanarySpec spec, Hpas hpas, HorizontalPodAutoscaler stableHpa, List<Problem> problems) {
    String name = CanaryHpas.nameFor(stableHpa);
    String where = "HorizontalPodAutoscaler " + spec.namespace() + "/" + name;
    if (name.length() > CanaryHpas.MAX_NAME_LENGTH) {
      problems.add(Problem.of(where, "the canary's autoscaler would be named with " + name.length()
          + " characters; at most " + CanaryHpas.MAX_NAME_LENGTH + " are allowed: shorten the name of "
          + Hpas.describe(stableHpa)));
      return;
    }
    hpas.get(spec.namespace(), name).filter(existing -> !CanaryHpas.managedBy(existing, spec)).ifPresent(existing ->
        problems.add(Problem.of(where, "already exists and was not created by rollout " + spec.name()
            + " (labels " + CanaryHpas.labels(spec) + " missing); the canary's autoscaler needs this name:"
            + " rename or delete that autoscaler")));
  }
}
