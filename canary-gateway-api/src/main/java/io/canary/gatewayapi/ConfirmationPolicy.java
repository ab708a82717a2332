package io.canary.gatewayapi;

/**
 * Whether a weight counts as applied only once the Gateway API implementation has taken it up: every
 * parent of the route reports {@code Accepted=True} and {@code ResolvedRefs=True} for the generation
 * the router wrote.
 */
public enum ConfirmationPolicy {
  /** Wait for every parent's status; a parent that refuses the route stops the rollout (the default). */
  REQUIRE,
  /** Do not wait; log a warning when a parent refuses the route. */
  WARN,
  /** Neither wait nor watch: for implementations that write no route status. */
  OFF
}
