package io.canary.core.analysis;

import io.canary.core.RolloutKey;
import io.canary.core.analysis.internal.EvidenceStore;
import io.canary.core.spi.AnalysisContext;
import io.canary.core.spi.AnalysisGate;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.Check;
import io.canary.core.spi.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.immutables.value.Value;

/**
 * Threshold rules evaluated together: fails when any rule fails, inconclusive when any has no data or
 * its query errs, passes when all pass. The failure and inconclusive limits are the
 * {@link io.canary.core.AnalysisSpec}'s ({@code failureLimit}, {@code inconclusiveLimit}, counted by the
 * runner); the consecutive-error limit is this gate's: a query that errs (the backend unreachable, a
 * bad answer) makes the verdict inconclusive up to {@link #consecutiveErrorLimit()} evaluations in a
 * row, and failed past it (Argo Rollouts' {@code consecutiveErrorLimit}, default 4), so a metrics
 * backend that is gone for good does not leave a rollout waiting forever.
 */
@Value.Immutable
public abstract class ThresholdGate implements AnalysisGate {
  private final EvidenceStore<AtomicInteger> consecutiveErrors = new EvidenceStore<>(4096);

  public abstract List<ThresholdRule> rules();

  @Value.Default
  public int consecutiveErrorLimit() {
    return 4;
  }

  public static ImmutableThresholdGate.Builder builder() {
    return ImmutableThresholdGate.builder();
  }

  public static ThresholdGate of(ThresholdRule... rules) {
    return builder().addRules(rules).build();
  }

  @Value.Check
  protected void check() {
    if (rules().isEmpty()) {
      throw new IllegalArgumentException("ThresholdGate.rules must hold at least one rule: a gate without checks "
          + "could never pass");
    }
    if (consecutiveErrorLimit() < 0) {
      throw new IllegalArgumentException("ThresholdGate.consecutiveErrorLimit must be at least 0, was "
          + consecutiveErrorLimit());
    }
  }

  @Override
  public AnalysisResult evaluate(AnalysisContext ctx) {
    AtomicInteger errorsInARow = consecutiveErrors.get(new Attempt(ctx.key(), ctx.attempt()), AtomicInteger::new);
    List<Check> checks = new ArrayList<>();
    boolean erred = false;
    for (ThresholdRule rule : rules()) {
      try {
        checks.add(rule.evaluate(ctx));
      } catch (RuntimeException e) {
        erred = true;
        checks.add(new Check(rule.name(), safeRender(rule, ctx), Double.NaN, Double.NaN,
            rule.comparison().symbol() + " " + rule.threshold(), Verdict.INCONCLUSIVE, "the query failed: " + e.getMessage()));
      }
    }
    int inARow = erred ? errorsInARow.incrementAndGet() : 0;
    if (!erred) {
      errorsInARow.set(0);
    }
    if (inARow > consecutiveErrorLimit()) {
      checks.add(new Check("consecutive-errors", "queries that failed in a row", inARow, Double.NaN,
          "<= " + consecutiveErrorLimit(), Verdict.FAIL, "the metrics could not be read " + inARow + " times in a row"));
    }
    return AnalysisResult.of(checks);
  }

  private static String safeRender(ThresholdRule rule, AnalysisContext ctx) {
    try {
      return rule.query().render(ctx);
    } catch (RuntimeException e) {
      return rule.name();
    }
  }

  private record Attempt(RolloutKey rollout, int attempt) {}
}
