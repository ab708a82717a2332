/** Typed events of a rollout's life, one small record each, delivered to {@link io.canary.core.spi.RolloutListener}s. */
package io.canary.core.event;
