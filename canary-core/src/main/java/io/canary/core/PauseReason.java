package io.canary.core;

/** Why a rollout is paused. */
public enum PauseReason {
  /** A pause step. */
  CanaryPauseStep,
  /** The analysis could not decide; a person promotes or aborts. */
  InconclusiveAnalysis,
  /** A person paused the rollout ({@code pause()}); {@code resume()} goes on where it stood. */
  UserPause
}
