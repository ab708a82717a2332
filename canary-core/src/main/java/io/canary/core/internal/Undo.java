package io.canary.core.internal;

import io.canary.core.CanaryException;
import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Phase;
import io.canary.core.RolloutStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What {@code undo()} releases: the same rollout and steps, with the revision the target ran before. */
final class Undo {
  private static final Logger LOG = LoggerFactory.getLogger("io.canary.rollout");

  private Undo() {}

  /** The spec of the release that goes back, or why there is none. */
  static CanarySpec spec(RunnerContext ctx, CanarySpec spec, RolloutStatus st) {
    if (st.phase() != Phase.SUCCEEDED) {
      throw new CanaryException("Rollout " + spec.key() + ": undo() rolls back a release that succeeded; this one is "
          + st.phase().displayName() + " (abort() rolls back a release under way)");
    }
    NewRevision previous = ctx.workloads().previousRevision(spec).orElseThrow(() -> new CanaryException("Rollout "
        + spec.key() + ": undo() needs the revision " + spec.target() + " ran before this release, and the workloads"
        + " adapter cannot tell it; release the previous revision as a new spec"));
    LOG.info("[{}] undo() requested: a new release goes back to {}", spec.key(), previous);
    return CanarySpec.copyOf(spec).withRevision(previous);
  }
}
