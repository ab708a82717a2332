package io.canary.core.spi;

import io.canary.core.CanarySpec;
import io.canary.core.Phase;
import io.canary.core.Revisions;
import io.canary.core.RolloutKey;
import java.time.Instant;
import java.util.Objects;

/**
 * What an analysis evaluates: the rollout, its revisions, its current canary weight and the window of
 * time the evaluation covers.
 *
 * @param attempt how many times {@code retry()} started the rollout again; a judge that gathers
 *     evidence over many windows starts afresh with each attempt
 * @param phase the rollout's phase when the evaluation was asked for
 */
public record AnalysisContext(CanarySpec spec, Revisions revisions, int canaryWeight, int stepIndex, Instant windowStart,
    Instant windowEnd, int attempt, Phase phase) {
  public AnalysisContext {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(revisions, "revisions");
    Objects.requireNonNull(windowStart, "windowStart");
    Objects.requireNonNull(windowEnd, "windowEnd");
    Objects.requireNonNull(phase, "phase");
  }

  /** A context of the first attempt of a progressing rollout (the shape before attempt and phase were carried). */
  public AnalysisContext(CanarySpec spec, Revisions revisions, int canaryWeight, int stepIndex, Instant windowStart,
      Instant windowEnd) {
    this(spec, revisions, canaryWeight, stepIndex, windowStart, windowEnd, 0, Phase.PROGRESSING);
  }

  public RolloutKey key() {
    return spec.key();
  }
}
