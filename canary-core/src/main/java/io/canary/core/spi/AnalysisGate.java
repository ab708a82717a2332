package io.canary.core.spi;

/** Judges the canary against stable over a window of time. */
@FunctionalInterface
public interface AnalysisGate {
  AnalysisResult evaluate(AnalysisContext context);
}
