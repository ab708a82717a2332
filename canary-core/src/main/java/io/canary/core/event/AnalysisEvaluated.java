package io.canary.core.event;

import io.canary.core.RolloutStatus;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.Verdict;
import java.time.Instant;

/** An analysis ran; {@code background} for the spec-wide analysis, false for an analysis step. */
public record AnalysisEvaluated(RolloutStatus status, Instant time, String analysis, boolean background, AnalysisResult result)
    implements RolloutEvent {
  @Override
  public String message() {
    return "Analysis " + analysis + ": " + result.verdict() + " - " + result.message();
  }

  @Override
  public boolean warning() {
    return result.verdict() == Verdict.FAIL;
  }
}
