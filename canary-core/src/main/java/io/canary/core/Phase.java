package io.canary.core;

/** Where a rollout is in its life. */
public enum Phase {
  /** Accepted, not yet validated against the cluster. */
  PENDING,
  /** Working through the steps. */
  PROGRESSING,
  /** Waiting: a pause step, an inconclusive analysis, or a person's decision. */
  PAUSED,
  /** All steps done: the new revision becomes stable. */
  PROMOTING,
  /** The new revision is stable and takes all traffic. */
  SUCCEEDED,
  /** Traffic is back on stable; the canary is being removed. */
  ABORTING,
  /** Rolled back: stable takes all traffic, the canary is gone. {@code retry()} starts again. */
  ABORTED,
  /** Could not go on (for example the cluster rejected a write); needs a person. */
  FAILED;

  public boolean isTerminal() {
    return this == SUCCEEDED || this == ABORTED || this == FAILED;
  }

  /** The name users know from Argo Rollouts, for example {@code Progressing}. */
  public String displayName() {
    String n = name();
    return n.charAt(0) + n.substring(1).toLowerCase(java.util.Locale.ROOT);
  }
}
