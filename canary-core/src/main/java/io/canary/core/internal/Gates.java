package io.canary.core.internal;

import io.canary.core.Durations;
import io.canary.core.AnalysisRecord;
import io.canary.core.CanarySpec;
import io.canary.core.GateProgress;
import io.canary.core.GateSpec;
import io.canary.core.Phase;
import io.canary.core.RolloutStatus;
import io.canary.core.analysis.LifecycleContext;
import io.canary.core.analysis.LifecyclePoint;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.Check;
import io.canary.core.spi.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The decisions about the gates at the points of a rollout's life (see {@link GateSpec}). */
final class Gates {
  static final String REASON_GATE_FAILED = "GateFailed";

  private Gates() {}

  /**
   * Empty when the gates of {@code point} passed for step {@code stepIndex} (or there are none); else
   * the decision to ask them now, or to hold until they are asked again.
   */
  static Optional<Decision> hold(CanarySpec spec, RolloutStatus st, LifecyclePoint point, int stepIndex, int nextWeight,
      Instant now) {
    if (spec.gatesAt(point).isEmpty()) {
      return Optional.empty();
    }
    Optional<GateProgress> progress = st.gate().filter(g -> g.point() == point && g.stepIndex() == stepIndex);
    if (progress.isPresent() && progress.get().passed()) {
      return Optional.empty();
    }
    if (progress.isEmpty() || Transitions.due(progress.get().nextAskAt(), now)) {
      return Optional.of(new Decision(List.of(new Action.AskGates(point, stepIndex, nextWeight)), st, Optional.empty()));
    }
    return Optional.of(Decision.waitFor(st, Transitions.wakeAt(spec, st)));
  }

  /** Folds the gates' answer in: passed, held until asked again, or (before the rollout) a failure that aborts. */
  static RolloutStatus afterGates(CanarySpec spec, RolloutStatus st, Action.AskGates asked, AnalysisResult result,
      Instant now) {
    LifecyclePoint point = asked.point();
    AnalysisRecord record = AnalysisRecord.of(names(spec, point), point.flaggerName(), result, now);
    if (result.verdict() == Verdict.FAIL && point == LifecyclePoint.PRE_ROLLOUT) {
      return Transitions.toAborting(st, now, REASON_GATE_FAILED, "gate " + point.flaggerName() + " failed: "
          + result.message()).withLastAnalysis(record).done();
    }
    boolean passed = result.verdict() == Verdict.PASS;
    Duration again = spec.gatesAt(point).stream().map(GateSpec::interval).min(Duration::compareTo).orElse(Duration.ofSeconds(30));
    GateProgress progress = GateProgress.builder().point(point).stepIndex(asked.stepIndex()).passed(passed)
        .nextAskAt(passed ? Optional.empty() : Optional.of(now.plus(again))).message(result.message()).build();
    StatusEdit next = Transitions.copy(st, now).withGate(Optional.of(progress)).withLastAnalysis(record);
    if (!passed) {
      next.withMessage("held by the " + point.flaggerName() + " gates: " + result.message() + "; asked again in "
          + Durations.format(again) + " (abort() to roll back)");
    }
    return next.done();
  }

  /** The point whose gates are told of the transition from {@code before} to {@code after}, if it has gates. */
  static Optional<LifecyclePoint> told(CanarySpec spec, RolloutStatus before, RolloutStatus after) {
    if (before.phase() == after.phase()) {
      return Optional.empty();
    }
    Optional<LifecyclePoint> point = after.phase() == Phase.SUCCEEDED ? Optional.of(LifecyclePoint.POST_ROLLOUT)
        : after.phase() == Phase.ABORTING ? Optional.of(LifecyclePoint.ROLLBACK) : Optional.empty();
    return point.filter(p -> !spec.gatesAt(p).isEmpty());
  }

  /** Asks every gate of {@code point} in turn: all pass, or the first failure, else inconclusive. */
  static AnalysisResult ask(CanarySpec spec, LifecyclePoint point, LifecycleContext context) {
    List<Check> checks = new ArrayList<>();
    List<String> said = new ArrayList<>();
    Verdict verdict = Verdict.PASS;
    for (GateSpec gate : spec.gatesAt(point)) {
      AnalysisResult result;
      try {
        result = gate.gate().check(context);
        if (result == null) {
          result = AnalysisResult.inconclusive("the gate returned no result");
        }
      } catch (RuntimeException e) {
        result = AnalysisResult.inconclusive("the gate threw " + e);
      }
      checks.addAll(result.checks());
      said.add(gate.name() + " " + result.verdict() + (result.message().isEmpty() ? "" : " (" + result.message() + ")"));
      if (result.verdict() == Verdict.FAIL) {
        verdict = Verdict.FAIL;
      } else if (result.verdict() == Verdict.INCONCLUSIVE && verdict == Verdict.PASS) {
        verdict = Verdict.INCONCLUSIVE;
      }
    }
    return new AnalysisResult(verdict, String.join("; ", said), List.of(), checks);
  }

  private static String names(CanarySpec spec, LifecyclePoint point) {
    return String.join(", ", spec.gatesAt(point).stream().map(GateSpec::name).toList());
  }
}
