/**
 * Ready-made {@link io.canary.core.spi.AnalysisGate}s: the sequential judge that compares the canary
 * with stable, threshold rules over the user's own queries, Flagger's defaults, webhook gates.
 */
@io.canary.core.CanaryStyle
package io.canary.core.analysis;
