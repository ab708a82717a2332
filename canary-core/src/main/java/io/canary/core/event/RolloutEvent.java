package io.canary.core.event;

import io.canary.core.RolloutKey;
import io.canary.core.RolloutStatus;
import java.time.Instant;

/**
 * Something that happened to a rollout. Every event carries the status right after it and a
 * reason (a CamelCase word, as in a Kubernetes Event) and a message for people.
 */
public sealed interface RolloutEvent
    permits RolloutStarted,
        PhaseChanged,
        StepStarted,
        WeightChanged,
        CanaryScaled,
        StableScaled,
        AnalysisEvaluated,
        GateChecked,
        RoutesChanged,
        DriftDetected,
        RolloutPromoted,
        RolloutAborted,
        RolloutFailed {

  RolloutStatus status();

  Instant time();

  /** A CamelCase word naming what happened, for example {@code WeightChanged}. */
  default String reason() {
    return getClass().getSimpleName();
  }

  String message();

  default RolloutKey key() {
    return status().key();
  }

  /** True for events that report something wrong (Kubernetes Event type Warning). */
  default boolean warning() {
    return false;
  }
}
