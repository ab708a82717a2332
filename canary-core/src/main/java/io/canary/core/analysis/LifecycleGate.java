package io.canary.core.analysis;

import io.canary.core.spi.AnalysisGate;
import io.canary.core.spi.AnalysisResult;

/**
 * Asked at a {@link LifecyclePoint} whether the rollout may go on: pass goes on, fail stops (no start,
 * no traffic increase, no promotion: roll back), inconclusive pauses for a person. At the points that
 * only tell ({@link LifecyclePoint#POST_ROLLOUT}, {@link LifecyclePoint#ROLLBACK}) the verdict is
 * recorded and changes nothing. {@link WebhookGate} is the HTTP one; a lambda is a Java callback.
 */
@FunctionalInterface
public interface LifecycleGate {
  AnalysisResult check(LifecycleContext context);

  /** This gate as an analysis gate, asked at every analysis evaluation ({@link LifecyclePoint#ANALYSIS}). */
  default AnalysisGate asAnalysisGate() {
    return ctx -> check(LifecycleContext.of(ctx));
  }
}
