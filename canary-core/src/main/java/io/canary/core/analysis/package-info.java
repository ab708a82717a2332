/** Ready-made {@link io.canary.core.spi.AnalysisGate}s over a {@link io.canary.core.spi.MetricSource}. */
package io.canary.core.analysis;
