package io.canary.core.internal;

import io.canary.core.CanarySpec;
import io.canary.core.Step;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The fingerprint release 0.1 stored, built from {@code toString()} of the spec's parts. Kept only so
 * that rollouts started by 0.1 resume after an upgrade; new statuses carry {@link SpecFingerprint}'s.
 */
final class LegacyFingerprint {
  private LegacyFingerprint() {}

  static String of(CanarySpec spec) {
    StringBuilder b = new StringBuilder()
        .append(spec.namespace()).append('/').append(spec.name()).append('\n')
        .append(spec.target()).append('\n')
        .append(new TreeMap<>(spec.revision().images())).append('\n')
        .append(spec.revision().podTemplate().map(Object::toString).orElse("")).append('\n')
        .append(spec.revision().existingWorkload().orElse("")).append('\n')
        .append(spec.traffic()).append('\n')
        .append(spec.steps().stream().map(LegacyFingerprint::describe).collect(Collectors.joining(";"))).append('\n')
        .append(spec.analysis().map(a -> a.name()).orElse(""));
    return SpecFingerprint.sha256(b.toString());
  }

  private static String describe(Step step) {
    if (step instanceof Step.Analysis a) {
      return "analysis " + a.analysis().name() + " " + a.analysis().interval() + " " + a.analysis().successfulRuns();
    }
    return step.toString();
  }
}
