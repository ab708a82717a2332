package io.canary.core.spi;

import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Problem;
import io.canary.core.Revisions;
import java.util.List;
import java.util.Optional;

/**
 * Creates, sizes, watches, promotes and removes the revisions' workloads. Adapters that know about
 * autoscalers decorate another implementation and move autoscaler bounds instead of replica counts.
 *
 * <p>The runner calls, per rollout: {@link #validate} (and {@link #previewRevisions} for a dry run)
 * before anything is written; {@link #ensureCanary} once, then {@link #watch}; while the steps run,
 * {@link #observe} and {@link #canaryLost} on every wake-up, {@link #scaleCanary} before a weight rises or at a
 * {@code setCanaryScale} step, {@link #trafficShifted} after each routing write, {@link #scaleStable}
 * for dynamic stable scale; at the end {@link #promote} then {@link #promotionComplete} until true
 * (promotion only), and {@link #removeCanary} after the scale-down delay (promotion and abort). A
 * resumed runner starts again at {@code ensureCanary}: every call must be idempotent.
 *
 * <p>An implementation that holds watches or threads is {@link AutoCloseable}; the host that made
 * it closes it, after the runner (the runner never closes what it was given).
 */
public interface Workloads {
  /** Every problem with the workloads the spec names; empty when the rollout can start. Reads only. */
  List<Problem> validate(CanarySpec spec);

  /**
   * The revisions {@link #ensureCanary} would produce, computed from what the cluster holds now, without
   * writing anything (for the dry run). A canary that does not exist yet gets the hash and labels it
   * would have.
   */
  Revisions previewRevisions(CanarySpec spec);

  /**
   * Makes sure the canary revision exists (idempotent: a resumed runner finds it again) and says which
   * pods each revision has. A new canary starts with 0 replicas unless an autoscaler says otherwise.
   */
  Revisions ensureCanary(CanarySpec spec);

  /**
   * Asks for {@code request.replicas()} canary pods. Without an autoscaler both intents set the
   * replica count. With one, a {@linkplain CanaryScale#preScale pre-scale} keeps at least that many
   * (the autoscaler's minimum), and a {@linkplain CanaryScale#fixed fixed} scale holds exactly that
   * many until the next request or {@link #removeCanary}, through {@link #trafficShifted} calls.
   */
  void scaleCanary(CanarySpec spec, Revisions revisions, CanaryScale request);

  /**
   * Called once the routing carries {@code canaryWeight}: an autoscaler-aware adapter gives a
   * pre-scaled minimum back to the user here, so the autoscaler decides from the traffic (a fixed
   * scale holds).
   */
  default void trafficShifted(CanarySpec spec, Revisions revisions, int canaryWeight) {}

  /**
   * Dynamic stable scale: shrink the stable revision to {@code replicas}, or give it back the user's
   * count (or autoscaler bounds) when empty.
   */
  void scaleStable(CanarySpec spec, Revisions revisions, Optional<Integer> replicas);

  /** The workloads as last seen (from a watch cache: no API read per call). */
  WorkloadState observe(CanarySpec spec, Revisions revisions);

  /**
   * Starts the promotion: the stable workload takes the canary's revision. Progress shows in
   * {@link #observe} (stable hash equals the canary's, all replicas updated and available).
   * A rollout whose canary is a user-managed workload has nothing to roll: it returns at once.
   */
  void promote(CanarySpec spec, Revisions revisions);

  /** True once the stable workload runs the canary's revision with all its replicas available. */
  default boolean promotionComplete(CanarySpec spec, Revisions revisions) {
    if (!spec.revision().createsCanaryWorkload()) {
      return true;
    }
    RevisionState stable = observe(spec, revisions).stable();
    return stable.hash().equals(revisions.canary().hash())
        && stable.updated() >= stable.desired()
        && stable.available() >= stable.desired()
        && stable.current() == stable.updated();
  }

  /**
   * Removes the canary workload and anything else the runner created for it, and gives the user's own
   * scaling settings back (replica counts, autoscaler bounds). Never deletes anything the user created:
   * a user-managed canary workload stays. Called once, after the scale-down delay of a promotion or an
   * abort; must be idempotent, since a resumed runner may call it again.
   */
  void removeCanary(CanarySpec spec, Revisions revisions);

  /**
   * The revision the target ran before {@code spec}'s release was promoted onto it, as a new revision
   * for a release that goes back ({@code RolloutHandle.undo()}); empty when the adapter cannot tell.
   */
  default Optional<NewRevision> previousRevision(CanarySpec spec) {
    return Optional.empty();
  }

  /**
   * Why the canary workload can no longer serve because of a change made outside the rollout, as the
   * adapter's watch saw it happen: deleted, or its replicas set to zero, by someone else (the message
   * names the workload and what happened). Empty while the canary is as the rollout keeps it. The
   * adapter tells the rollout's own doings apart: a canary not created yet or not yet in the watch
   * cache, replicas it asked for (a {@code setCanaryScale} of 0 included), an autoscaler owning the
   * replica count, the canary's removal at the end. A progressing or paused rollout whose canary is
   * lost aborts (traffic to stable first). Read on every wake-up, from the watch cache.
   *
   * <p>The default tells nothing: the rollout then waits for the replicas its steps need and aborts
   * at the progress deadline.
   */
  default Optional<String> canaryLost(CanarySpec spec, Revisions revisions) {
    return Optional.empty();
  }

  /** Calls {@code onChange} whenever the workloads' state may have changed, until closed. */
  AutoCloseable watch(CanarySpec spec, Revisions revisions, Runnable onChange);
}
