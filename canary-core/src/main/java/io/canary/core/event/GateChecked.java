package io.canary.core.event;

import io.canary.core.RolloutStatus;
import io.canary.core.analysis.LifecyclePoint;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.Verdict;
import java.time.Instant;

/** The gates of a point of the rollout's life answered; {@code result} holds each gate's checks. */
public record GateChecked(RolloutStatus status, Instant time, LifecyclePoint point, AnalysisResult result)
    implements RolloutEvent {
  @Override
  public String message() {
    return "Gates " + point.flaggerName() + ": " + result.verdict() + " - " + result.message();
  }

  @Override
  public boolean warning() {
    return result.verdict() != Verdict.PASS;
  }
}
