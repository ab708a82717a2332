/**
 * Canary SDK core: the release spec ({@link io.canary.core.CanarySpec}), its steps and traffic
 * strategies, the rollout status, and {@link io.canary.core.CanaryRunner}, which drives rollouts
 * through the SPIs in {@link io.canary.core.spi}.
 */
@CanaryStyle
package io.canary.core;
