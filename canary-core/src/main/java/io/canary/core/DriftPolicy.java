package io.canary.core;

/**
 * What a rollout does when the weights it owns are found changed by someone else while its steps run
 * (a person, a GitOps tool syncing an older copy of the object). Either way the change is reported at
 * once: a {@link io.canary.core.event.DriftDetected} event (listeners, a WARN line, a Kubernetes Event)
 * naming each routing object, the weights found and the weights the rollout owns.
 */
public enum DriftPolicy {
  /** The rollout's weights are put back at once, and the rollout goes on (the default). */
  REVERT,
  /**
   * The rollout pauses ({@link PauseReason#RoutingDrift}) and leaves the weights as found: {@code resume()}
   * puts the rollout's weights back and goes on, {@code abort()} sends all traffic to stable.
   */
  PAUSE
}
