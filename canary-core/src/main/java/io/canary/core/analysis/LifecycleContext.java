package io.canary.core.analysis;

import io.canary.core.Phase;
import io.canary.core.Revisions;
import io.canary.core.RolloutKey;
import io.canary.core.spi.AnalysisContext;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a rollout is when a {@link LifecycleGate} is asked.
 *
 * @param stepIndex the step being worked on (0-based)
 * @param canaryWeight the canary weight in force
 * @param nextWeight the weight the rollout is about to set (equal to {@code canaryWeight} when none)
 * @param revisions stable and canary, once the canary exists
 */
public record LifecycleContext(LifecyclePoint point, RolloutKey rollout, Phase phase, int stepIndex, int canaryWeight,
    int nextWeight, Optional<Revisions> revisions, Instant time) {
  public LifecycleContext {
    Objects.requireNonNull(point, "point");
    Objects.requireNonNull(rollout, "rollout");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(revisions, "revisions");
    Objects.requireNonNull(time, "time");
  }

  /** The context of an analysis evaluation, as the {@link LifecyclePoint#ANALYSIS} point. */
  public static LifecycleContext of(AnalysisContext ctx) {
    return new LifecycleContext(LifecyclePoint.ANALYSIS, ctx.key(), ctx.phase(), ctx.stepIndex(), ctx.canaryWeight(),
        ctx.canaryWeight(), Optional.of(ctx.revisions()), ctx.windowEnd());
  }
}
