package io.canary.hpa.internal;

import io.canary.core.CanarySpec;
import io.canary.core.Problem;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** What would keep the autoscaler policy from running a rollout; found by reading only. */
public final class HpaProblems {
  private HpaProblems() {}

  public static List<Problem> of(CanarySpec spec, Hpas hpas, Optional<HorizontalPodAutoscalerSpec> canaryHpaSpec) {
    List<Problem> problems = new ArrayList<>();
    String kind = spec.target().kind();
    List<HorizontalPodAutoscaler> stableHpas = hpas.targetingFresh(spec.namespace(), kind, spec.target().name());
    oneAutoscalerAtMost(spec, spec.target().name(), stableHpas, problems);
    if (spec.revision().existingWorkload().isPresent()) {
      String canary = spec.revision().existingWorkload().get();
      oneAutoscalerAtMost(spec, canary, hpas.targetingFresh(spec.namespace(), kind, canary), problems);
      canaryHpaSpec.ifPresent(s -> problems.add(Problem.of(where(spec),
          "a changed autoscaler spec is given, but the canary is the user's workload " + canary
              + " with the user's own autoscaler; change that autoscaler instead, or drop canaryHpa(...)")));
      return problems;
    }
    if (!stableHpas.isEmpty()) {
      canaryNameFree(spec, hpas, stableHpas.get(0), problems);
    }
    canaryHpaSpec.ifPresent(s -> {
      if (stableHpas.isEmpty()) {
        problems.add(Problem.of(where(spec), "a changed autoscaler spec is given, but no HorizontalPodAutoscaler"
            + " sizes " + spec.target() + " in namespace " + spec.namespace()
            + "; create the stable workload's autoscaler first, so promotion has one to carry the spec to"));
      }
      boundsValid(spec, s, problems);
    });
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

  private static void boundsValid(CanarySpec spec, HorizontalPodAutoscalerSpec hpa, List<Problem> problems) {
    Integer max = hpa.getMaxReplicas();
    Integer min = hpa.getMinReplicas();
    if (max == null || max < 1) {
      problems.add(Problem.of(where(spec) + ".maxReplicas", "is " + max + "; must be at least 1"));
    }
    if (min != null && min < 1) {
      problems.add(Problem.of(where(spec) + ".minReplicas", "is " + min + "; must be at least 1 (or unset, meaning 1)"));
    }
    if (min != null && max != null && min > max) {
      problems.add(Problem.of(where(spec) + ".minReplicas",
          "is " + min + ", above maxReplicas " + max + "; must be at most maxReplicas"));
    }
  }

  private static String where(CanarySpec spec) {
    return "canaryHpa(" + spec.key() + ")";
  }
}
