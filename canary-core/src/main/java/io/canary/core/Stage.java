package io.canary.core;

/** The sub-step a rollout is in while promoting or aborting, so a resumed runner carries on exactly there. */
public enum Stage {
  NONE,
  /** Promoting: the stable workload is taking the new revision; traffic follows the last weights. */
  PROMOTE_STABLE,
  /**
   * Promoting (all traffic on the stable routing, which now selects the new revision) or aborting (all
   * traffic back on stable): waiting for the scale-down delay before the canary is removed.
   */
  SCALE_DOWN_DELAY
}
