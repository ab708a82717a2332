package io.canary.core.spi;

import io.canary.core.CanarySpec;
import io.canary.core.Revisions;
import java.time.Instant;

/**
 * What an analysis evaluates: the rollout, its revisions, its current canary weight and the window of
 * time the evaluation covers.
 */
public record AnalysisContext(
    CanarySpec spec, Revisions revisions, int canaryWeight, int stepIndex, Instant windowStart, Instant windowEnd) {}
