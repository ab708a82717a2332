package io.canary.core;

/** Why a rollout is paused. */
public enum PauseReason {
  /** A pause step. */
  CanaryPauseStep,
  /** The analysis could not decide; a person promotes or aborts. */
  InconclusiveAnalysis,
  /** A person paused the rollout ({@code pause()}); {@code resume()} goes on where it stood. */
  UserPause,
  /**
   * The weights the rollout owns were changed by someone else and the {@link DriftPolicy} is
   * {@link DriftPolicy#PAUSE}: they are left as found; {@code resume()} puts the rollout's back and goes on.
   */
  RoutingDrift
}
