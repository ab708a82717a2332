package io.canary.core.internal;

import io.canary.core.Revisions;
import io.canary.core.RolloutStatus;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.RoutingState;
import java.util.Optional;

/**
 * Where {@link ActionInterpreter} carries actions out: the cluster through the SPIs (a live run), or
 * an imagined cluster that writes down what would change (the dry run). Each method gets the status
 * the rollout will have once the decision's actions are done.
 */
interface Effects {
  /** The revisions the release will have, from what the cluster holds, without writing. */
  Revisions previewRevisions(RolloutStatus next);

  /** Creates or finds the canary and watches the workloads; the revisions it has. */
  Revisions ensureCanary(RolloutStatus next);

  /** Watches the workloads of known revisions. */
  void watchWorkloads(Revisions revisions);

  void scaleCanary(Revisions revisions, Action.ScaleCanary action, RolloutStatus next);

  void scaleStable(Revisions revisions, Action.ScaleStable action, RolloutStatus next);

  /** Writes the routing, then lets the workloads know the traffic moved (when the canary exists). */
  void applyRouting(RoutingState state, Optional<Revisions> revisions, RolloutStatus next);

  /** Drift was reported (the event is the interpreter's to tell). */
  default void reportDrift(Action.ReportDrift action) {}

  AnalysisResult evaluate(Action.Evaluate action, RolloutStatus at);

  /** Asks the gates of a point; may wait on a webhook. */
  AnalysisResult askGates(Action.AskGates action, RolloutStatus at);

  /** Tells the gates of a point; their answer is only reported, through {@code tell}. */
  void tellGates(Action.TellGates action, RolloutStatus at);

  void promoteStable(Revisions revisions, RolloutStatus next);

  void removeCanary(Revisions revisions, RolloutStatus next);
}
