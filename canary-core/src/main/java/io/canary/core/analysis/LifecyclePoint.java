package io.canary.core.analysis;

/**
 * The points of a rollout where Flagger calls its webhooks, by Flagger's names, and where a
 * {@link LifecycleGate} is asked whether to go on.
 */
public enum LifecyclePoint {
  /** Before the canary gets any traffic; a gate that does not pass keeps the rollout from starting. */
  PRE_ROLLOUT("pre-rollout"),
  /** Before each increase of the canary's weight. */
  CONFIRM_TRAFFIC_INCREASE("confirm-traffic-increase"),
  /** Before the stable workload takes the new revision. */
  CONFIRM_PROMOTION("confirm-promotion"),
  /** After the promotion succeeded (told, not asked: the verdict is logged only). */
  POST_ROLLOUT("post-rollout"),
  /** When the rollout rolls back (told, not asked). */
  ROLLBACK("rollback"),
  /** During analysis, as any analysis gate (Flagger's {@code rollout} webhook). */
  ANALYSIS("rollout");

  private final String flaggerName;

  LifecyclePoint(String flaggerName) {
    this.flaggerName = flaggerName;
  }

  /** The webhook type Flagger users know, for example {@code confirm-promotion}. */
  public String flaggerName() {
    return flaggerName;
  }
}
