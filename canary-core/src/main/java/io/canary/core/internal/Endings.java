package io.canary.core.internal;

import static io.canary.core.internal.Transitions.aborted;
import static io.canary.core.internal.Transitions.copy;
import static io.canary.core.internal.Transitions.due;
import static io.canary.core.internal.Transitions.succeeded;
import static io.canary.core.internal.Transitions.toFailed;

import io.canary.core.CanarySpec;
import io.canary.core.Durations;
import io.canary.core.Revision;
import io.canary.core.Revisions;
import io.canary.core.RolloutStatus;
import io.canary.core.Stage;
import io.canary.core.spi.RoutingState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The decisions of a promoting or aborting rollout, stage by stage. */
final class Endings {
  private Endings() {}

  static Decision promote(CanarySpec spec, RolloutStatus st, Observation obs, Instant now) {
    Revisions revisions = st.revisions().orElseThrow(() -> new IllegalStateException(st.key() + " is promoting without revisions"));
    List<Action> restoreStable = st.stableScaling().replicas().isPresent()
        ? List.of(new Action.ScaleStable(Optional.empty(), "promotion: the user's stable scale comes back"))
        : List.of();
    if (!spec.revision().createsCanaryWorkload()) {
      // The user runs both workloads: promotion moves all traffic to the new one, which becomes stable.
      List<Action> actions = new ArrayList<>(restoreStable);
      actions.add(new Action.ApplyRouting(Routings.routing(st, 100, spec, 0)));
      actions.add(new Action.RemoveCanary());
      return new Decision(actions, succeeded(st, now, revisions.canary(), 100), Optional.empty());
    }
    switch (st.stage()) {
      case NONE -> {
        // The stable workload's rolling update replaces the pods its routing selects by their old hash:
        // while it runs, the stable routing selects every pod of the workload (old and new revision), so
        // the stable share of the traffic always finds ready pods.
        RoutingState duringPromotion = RoutingState.builder()
            .canaryWeight(st.currentWeight())
            .canaryLabels(revisions.canary().podLabels())
            .managedLabelKeys(Routings.labelKeys(revisions))
            .build();
        List<Action> actions = new ArrayList<>(restoreStable);
        actions.add(new Action.ApplyRouting(duringPromotion));
        actions.add(new Action.PromoteStable());
        RolloutStatus next = copy(st, now).withStage(Stage.PROMOTE_STABLE).withWaitingSince(now)
            .withStableScale(Optional.empty()).withReferenceReplicas(Optional.empty()).withStableScaleDownAt(Optional.empty())
            .withMessage("the stable workload " + revisions.stable().workload() + " takes revision " + revisions.canary().hash())
            .done();
        return new Decision(actions, next, Optional.empty());
      }
      case PROMOTE_STABLE -> {
        if (obs.promotionComplete()) {
          // The stable workload now runs the canary's revision: same hash and pod labels, its own name.
          Revision promoted = new Revision(revisions.stable().workload(), revisions.canary().hash(),
              revisions.canary().podLabels());
          RoutingState switchStable = RoutingState.builder()
              .canaryWeight(0)
              .stableLabels(promoted.podLabels())
              .canaryLabels(promoted.podLabels())
              .managedLabelKeys(Routings.labelKeys(revisions))
              .build();
          RolloutStatus next = copy(st, now).withStage(Stage.SCALE_DOWN_DELAY).withCurrentWeight(0).withDesiredWeight(0)
              .withStableRevision(promoted).withWaitingSince(Optional.empty())
              .withDueAt(now.plus(spec.scaleDownDelay()))
              .withMessage("all traffic on the stable workload, now at revision " + promoted.hash())
              .done();
          return Decision.transition(next, new Action.ApplyRouting(switchStable));
        }
        Instant deadline = st.timers().waitingSince().orElse(now).plus(spec.progressDeadline());
        if (!now.isBefore(deadline)) {
          return Decision.transition(toFailed(st, now, RolloutMachine.REASON_DEADLINE, "promotion: the stable workload "
              + revisions.stable().workload() + " did not run revision " + revisions.canary().hash()
              + " on all its replicas within the progress deadline of "
              + Durations.format(spec.progressDeadline())).done());
        }
        return Decision.waitFor(st, Optional.of(deadline));
      }
      case SCALE_DOWN_DELAY -> {
        if (due(st.timers().dueAt(), now)) {
          RolloutStatus done = succeeded(st, now, revisions.stable(), 0);
          return Decision.transition(done, new Action.RemoveCanary(), new Action.ApplyRouting(Routings.release(revisions)));
        }
        return Decision.waitFor(st, st.timers().dueAt());
      }
    }
    throw new IllegalStateException("unknown stage " + st.stage());
  }

  static Decision abort(CanarySpec spec, RolloutStatus st, Observation obs, Instant now) {
    Optional<Revisions> revisions = st.revisions();
    if (revisions.isEmpty()) {
      return Decision.transition(aborted(st, now));
    }
    switch (st.stage()) {
      case NONE, PROMOTE_STABLE -> {
        if (st.stableScaling().replicas().isPresent()) {
          RolloutStatus next = copy(st, now).withStableScale(Optional.empty()).withReferenceReplicas(Optional.empty())
              .withStableScaleDownAt(Optional.empty()).withWaitingSince(now).done();
          return Decision.transition(next, new Action.ScaleStable(Optional.empty(), "abort: stable needs all its pods back"));
        }
        Optional<Instant> waitingSince = st.timers().waitingSince();
        if (waitingSince.isPresent() && obs.stable().available() < obs.stable().desired()
            && now.isBefore(waitingSince.get().plus(spec.progressDeadline()))) {
          // Stable is growing back; traffic follows once it can carry it (or at the deadline, whatever it has).
          return Decision.waitFor(st, Optional.of(waitingSince.get().plus(spec.progressDeadline())));
        }
        RolloutStatus next = copy(st, now).withStage(Stage.SCALE_DOWN_DELAY).withCurrentWeight(0).withDesiredWeight(0)
            .withWaitingSince(Optional.empty()).withDueAt(now.plus(spec.abortScaleDownDelay()))
            .withMessage("all traffic back on stable; the canary goes in " + Durations.format(spec.abortScaleDownDelay()))
            .done();
        return Decision.transition(next, new Action.ApplyRouting(Routings.routing(st, 0, spec, 0)));
      }
      case SCALE_DOWN_DELAY -> {
        if (due(st.timers().dueAt(), now)) {
          return Decision.transition(aborted(st, now), new Action.RemoveCanary(),
              new Action.ApplyRouting(Routings.release(revisions.get())));
        }
        return Decision.waitFor(st, st.timers().dueAt());
      }
    }
    throw new IllegalStateException("unknown stage " + st.stage());
  }
}
