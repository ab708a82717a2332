package io.canary.core;

/** The sub-step a rollout is in while promoting or aborting, so a resumed runner carries on exactly there. */
public enum Stage {
  NONE,
  /** Promoting: all traffic to the canary before the stable workload takes the new revision. */
  SHIFT_TO_CANARY,
  /** Promoting: the stable workload is taking the new revision; traffic follows the last weights. */
  PROMOTE_STABLE,
  /** Promoting: the stable routing now selects the new revision; all traffic on stable. */
  SWITCH_STABLE,
  /** Promoting or aborting: waiting for the scale-down delay before the canary is removed. */
  SCALE_DOWN_DELAY,
  /** The canary is being removed and the routing objects released. */
  CLEAN_UP
}
