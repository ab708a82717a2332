package io.canary.core.internal;

import static io.canary.core.internal.Transitions.copy;
import static io.canary.core.internal.Transitions.due;
import static io.canary.core.internal.Transitions.nextStep;
import static io.canary.core.internal.Transitions.toAborting;
import static io.canary.core.internal.Transitions.toPromoting;
import static io.canary.core.internal.Transitions.wakeAt;

import io.canary.core.CanarySpec;
import io.canary.core.Condition;
import io.canary.core.DriftPolicy;
import io.canary.core.Durations;
import io.canary.core.PauseReason;
import io.canary.core.Phase;
import io.canary.core.RolloutStatus;
import io.canary.core.Step;
import io.canary.core.analysis.LifecyclePoint;
import io.canary.core.spi.CanaryScale;
import io.canary.core.spi.RoutingConfirmation;
import io.canary.core.spi.RoutingState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The decisions of a progressing or paused rollout: its steps, background analysis and stable shrinking. */
final class Steps {
  private Steps() {}

  static Decision progress(CanarySpec spec, RolloutStatus st, Observation obs, Instant now) {
    if (obs.canaryLost().isPresent()) {
      return Decision.transition(toAborting(st, now, RolloutMachine.REASON_CANARY_LOST,
          obs.canaryLost().get() + "; all traffic goes back to stable").done());
    }
    Optional<Decision> drifted = obs.drift().flatMap(d -> drift(spec, st, d, now));
    if (drifted.isPresent()) {
      return drifted.get();
    }
    if (st.pauseReason().equals(Optional.of(PauseReason.InconclusiveAnalysis))) {
      return Decision.waitFor(st, Optional.empty());
    }
    if (spec.analysis().isPresent() && due(st.backgroundAnalysis().nextAt(), now)) {
      return new Decision(List.of(new Action.Evaluate(spec.analysis().get(), true)), st, Optional.empty());
    }
    if (st.pauseReason().equals(Optional.of(PauseReason.UserPause))
        || st.pauseReason().equals(Optional.of(PauseReason.RoutingDrift))) {
      return Decision.waitFor(st, st.backgroundAnalysis().nextAt());
    }
    if (due(st.stableScaling().scaleDownAt(), now)) {
      int reference = referenceReplicas(st, obs);
      int target = RolloutMachine.ceilPercent(reference, 100 - st.currentWeight());
      StatusEdit next = copy(st, now).withStableScale(target).withReferenceReplicas(reference)
          .withStableScaleDownAt(Optional.empty());
      return Decision.transition(next.done(), new Action.ScaleStable(Optional.of(target),
          "dynamic stable scale: stable takes " + (100 - st.currentWeight()) + "% of the traffic"));
    }
    Optional<Decision> unconfirmed = unconfirmedRouting(spec, st, obs, now);
    if (unconfirmed.isPresent()) {
      return unconfirmed.get();
    }
    int index = st.stepIndex();
    if (index >= spec.steps().size()) {
      return Gates.hold(spec, st, LifecyclePoint.CONFIRM_PROMOTION, index, st.currentWeight(), now)
          .orElseGet(() -> Decision.transition(toPromoting(st, now, "all " + spec.steps().size() + " steps done").done()));
    }
    Step step = spec.steps().get(index);
    if (step instanceof Step.SetWeight w) {
      return setWeight(spec, st, obs, now, w.weight());
    }
    if (step instanceof Step.Pause p) {
      return pause(spec, st, now, p);
    }
    if (step instanceof Step.SetCanaryScale) {
      int replicas = canaryReplicasFor(spec, st, obs, st.currentWeight(), index + 1);
      return withCanaryReplicas(spec, st, obs, now, replicas, replicas, true, "setCanaryScale")
          .orElseGet(() -> Decision.transition(nextStep(st, now).done()));
    }
    if (step instanceof Step.Analysis a) {
      if (stepAnalysisAt(spec, st).isEmpty()) {
        // A status saved without the step's start (older releases): the first evaluation counts from now.
        return Decision.transition(copy(st, now).withNextAnalysisAt(now.plus(a.analysis().initialDelay())).done());
      }
      if (due(stepAnalysisAt(spec, st), now)) {
        return new Decision(List.of(new Action.Evaluate(a.analysis(), false)), st, Optional.empty());
      }
      return Decision.waitFor(st, wakeAt(spec, st));
    }
    // A header or mirror route step: matching requests reach the canary, so it needs a ready pod.
    boolean sendsToCanary = step instanceof Step.SetHeaderRoute h
        ? !h.matches().isEmpty() && h.canaryWeight() > 0
        : !((Step.SetMirrorRoute) step).matches().isEmpty();
    if (sendsToCanary) {
      // At least what the canary's weight already needs: a resumed runner has forgotten what was asked
      // (RolloutMachine.resume asks again), and must not shrink a canary that carries traffic to one pod.
      int atLeast = Math.max(1, st.step().canaryReplicasRequested()
          .orElseGet(() -> canaryReplicasFor(spec, st, obs, st.currentWeight(), index)));
      Optional<Decision> waiting = withCanaryReplicas(spec, st, obs, now, atLeast, 1, false, step.describe());
      if (waiting.isPresent()) {
        return waiting.get();
      }
    }
    RoutingState routing = Routings.routing(st, st.currentWeight(), spec, index + 1);
    return Decision.transition(nextStep(st, now).done(), new Action.ApplyRouting(routing));
  }

  /**
   * Owned weights changed by someone else: reported, then put back ({@link DriftPolicy#REVERT}) or left
   * as found while the rollout pauses ({@link DriftPolicy#PAUSE}). A rollout a person holds (paused by
   * hand, or for an inconclusive analysis, or for this drift) keeps its pause and the weights as found;
   * once a person moves it on, the weights are put back without a second report.
   */
  private static Optional<Decision> drift(CanarySpec spec, RolloutStatus st, RoutingDrift drift, Instant now) {
    boolean heldByAPerson = st.phase() == Phase.PAUSED && st.pauseReason().isPresent()
        && st.pauseReason().get() != PauseReason.CanaryPauseStep;
    Action putBack = new Action.ApplyRouting(RolloutMachine.routingFor(spec, st));
    if (drift.reported()) {
      return heldByAPerson ? Optional.empty() : Optional.of(new Decision(List.of(putBack), st, Optional.empty()));
    }
    Action report = new Action.ReportDrift(drift.ownedCanaryWeight(), drift.found(), drift.policy());
    if (drift.policy() == DriftPolicy.REVERT) {
      return Optional.of(new Decision(List.of(report, putBack), st, Optional.empty()));
    }
    if (heldByAPerson) {
      return Optional.of(new Decision(List.of(report), st, Optional.empty()));
    }
    return Optional.of(new Decision(List.of(report), pausedForDrift(st, now), Optional.empty()));
  }

  /** Paused with the weights as found, until a person resumes (weights put back) or aborts. */
  static RolloutStatus pausedForDrift(RolloutStatus st, Instant now) {
    String why = "the weights the rollout owns (canary " + st.currentWeight() + ") were changed outside the rollout"
        + " and are left as found: resume() puts the rollout's weights back and goes on, abort() sends all traffic to stable";
    StatusEdit paused = copy(st, now).withPhase(Phase.PAUSED).withPauseReason(PauseReason.RoutingDrift).withMessage(why);
    return Transitions.condition(paused, Condition.PAUSED, true, PauseReason.RoutingDrift.name(), why, now).done();
  }

  /**
   * A weight counts as applied once the routing layer confirms it: until then the rollout goes no
   * further (its next step, its pause, its promotion wait), up to the progress deadline from the
   * step's start; a refusal aborts it with the routing layer's reason.
   */
  private static Optional<Decision> unconfirmedRouting(CanarySpec spec, RolloutStatus st, Observation obs, Instant now) {
    RoutingConfirmation routing = obs.routing();
    String weight = "weight " + st.currentWeight();
    if (routing.state() == RoutingConfirmation.State.REFUSED) {
      return Optional.of(Decision.transition(toAborting(st, now, RolloutMachine.REASON_ROUTING_REFUSED,
          "the routing layer refused " + weight + ": " + routing.reason() + ": " + routing.message()).done()));
    }
    if (routing.state() == RoutingConfirmation.State.PENDING) {
      Instant deadline = st.timers().stepStartedAt().orElse(now).plus(spec.progressDeadline());
      if (!now.isBefore(deadline)) {
        return Optional.of(Decision.transition(toAborting(st, now, RolloutMachine.REASON_DEADLINE, weight
            + " was not confirmed by the routing layer within the progress deadline of "
            + Durations.format(spec.progressDeadline()) + ": " + routing.reason() + ": " + routing.message()).done()));
      }
      return Optional.of(Decision.waitFor(st, Optional.of(deadline)));
    }
    return Optional.empty();
  }

  private static Decision setWeight(CanarySpec spec, RolloutStatus st, Observation obs, Instant now, int weight) {
    int index = st.stepIndex();
    if (weight > st.currentWeight()) {
      Optional<Decision> held = Gates.hold(spec, st, LifecyclePoint.CONFIRM_TRAFFIC_INCREASE, index, weight, now);
      if (held.isPresent()) {
        return held.get();
      }
    }
    Optional<Integer> stableScale = st.stableScaling().replicas();
    if (stableScale.isPresent()) {
      // Dynamic stable scale shrank stable: it gets its pods back before it gets traffic back.
      int stableNeeded = RolloutMachine.ceilPercent(referenceReplicas(st, obs), 100 - weight);
      if (stableNeeded > stableScale.get()) {
        StatusEdit next = copy(st, now).withStableScale(stableNeeded).withDesiredWeight(weight)
            .withWaitingSince(st.timers().waitingSince().orElse(now));
        return Decision.transition(next.done(), new Action.ScaleStable(Optional.of(stableNeeded),
            "stable will take " + (100 - weight) + "% of the traffic"));
      }
      if (obs.stable().available() < stableNeeded) {
        return waitForReplicas(spec, st, now, weight, "stable", obs.stable().available(), stableNeeded);
      }
    }
    if (weight > 0) {
      int needed = canaryReplicasFor(spec, st, obs, weight, index);
      int readyNeeded = spec.scaling().preScale() ? needed : 1;
      if (obs.canary().autoscaled()) {
        // An autoscaler never goes past its maximum: waiting for more pods than that would never end.
        readyNeeded = Math.max(1, Math.min(readyNeeded, obs.canary().maxReplicas().orElse(readyNeeded)));
      }
      Optional<Decision> waiting = withCanaryReplicas(spec, st, obs, now, needed, readyNeeded, false, "setWeight " + weight);
      if (waiting.isPresent()) {
        return waiting.get();
      }
    }
    StatusEdit next = nextStep(st, now).withCurrentWeight(weight).withDesiredWeight(weight);
    if (spec.scaling().dynamicStableScale() && weight > st.currentWeight()) {
      next.withStableScaleDownAt(now.plus(spec.scaling().stableScaleDownDelay()));
    }
    if (weight == st.currentWeight()) {
      return Decision.transition(next.done());
    }
    return Decision.transition(next.done(), new Action.ApplyRouting(Routings.routing(st, weight, spec, index + 1)));
  }

  /**
   * Asks for {@code replicas} canary pods if that was not asked yet and waits until {@code ready} of
   * them are available; empty once they are. Unless {@code exact} (a setCanaryScale step), the canary
   * only grows here: a canary whose weight goes down keeps its pods rather than shrink before its
   * traffic does.
   */
  private static Optional<Decision> withCanaryReplicas(CanarySpec spec, RolloutStatus st, Observation obs, Instant now,
      int replicas, int ready, boolean exact, String why) {
    int requested = st.step().canaryReplicasRequested().orElse(-1);
    int weight = currentStep(spec, st).filter(s -> s instanceof Step.SetWeight)
        .map(s -> ((Step.SetWeight) s).weight()).orElse(st.currentWeight());
    if (exact ? requested != replicas : requested < replicas) {
      // The wait for the pods starts with the request: the status says so in the same transition, not
      // in a save of its own that would tell no event (see waitForReplicas).
      StatusEdit next = copy(st, now).withCanaryReplicasRequested(replicas)
          .withWaitingSince(st.timers().waitingSince().orElse(now)).withDesiredWeight(weight);
      if (obs.canary().available() < ready) {
        next.withMessage(waitingFor(ready, "canary", obs.canary().available()));
      }
      CanaryScale request = exact && currentStep(spec, st).filter(s -> s instanceof Step.SetCanaryScale c && c.fixesCount())
          .isPresent() ? CanaryScale.fixed(replicas) : CanaryScale.preScale(replicas);
      return Optional.of(Decision.transition(next.done(), new Action.ScaleCanary(request, why)));
    }
    if (obs.canary().available() >= ready) {
      return Optional.empty();
    }
    return Optional.of(waitForReplicas(spec, st, now, weight, "canary", obs.canary().available(), ready));
  }

  private static Decision waitForReplicas(
      CanarySpec spec, RolloutStatus st, Instant now, int weight, String revision, int available, int needed) {
    if (st.timers().waitingSince().isEmpty() || st.desiredWeight() != weight) {
      return Decision.transition(copy(st, now).withWaitingSince(st.timers().waitingSince().orElse(now))
          .withDesiredWeight(weight)
          .withMessage(waitingFor(needed, revision, available)).done());
    }
    Instant deadline = st.timers().waitingSince().get().plus(spec.progressDeadline());
    if (!now.isBefore(deadline)) {
      String why = StepNumbers.position(st) + " (" + Transitions.describeStep(spec, st) + "): the " + revision + " had "
          + available + " of " + needed + " replicas available after the progress deadline of "
          + Durations.format(spec.progressDeadline());
      return Decision.transition(toAborting(st, now, RolloutMachine.REASON_DEADLINE, why).done());
    }
    return Decision.waitFor(st, wakeAt(spec, st));
  }

  private static String waitingFor(int needed, String revision, int available) {
    return "waiting for " + needed + " available " + revision + " replicas (" + available + " now)";
  }

  private static Decision pause(CanarySpec spec, RolloutStatus st, Instant now, Step.Pause p) {
    if (p.duration().filter(Duration::isZero).isPresent()) {
      return Decision.transition(nextStep(st, now).done());
    }
    if (st.phase() != Phase.PAUSED) {
      String why = p.untilPromoted() ? "paused until promoted" : "paused for " + Durations.format(p.duration().get());
      StatusEdit paused = copy(st, now)
          .withPhase(Phase.PAUSED)
          .withPauseReason(PauseReason.CanaryPauseStep)
          .withPauseUntil(st.timers().pauseUntil().or(() -> p.duration().map(now::plus)))
          .withMessage(why);
      return Decision.transition(Transitions.condition(paused, Condition.PAUSED, true,
          PauseReason.CanaryPauseStep.name(), why, now).done());
    }
    if (due(st.timers().pauseUntil(), now)) {
      StatusEdit ended = nextStep(st, now).withMessage("pause ended");
      return Decision.transition(Transitions.condition(ended, Condition.PAUSED, false, "PauseEnded", "pause ended", now).done());
    }
    return Decision.waitFor(st, wakeAt(spec, st));
  }

  /** Canary replicas for {@code weight}, or what a setCanaryScale before {@code stepIndex} fixed. */
  static int canaryReplicasFor(CanarySpec spec, RolloutStatus st, Observation obs, int weight, int stepIndex) {
    int reference = referenceReplicas(st, obs);
    int replicas = RolloutMachine.ceilPercent(reference, weight);
    for (Step s : spec.steps().subList(0, Math.min(stepIndex, spec.steps().size()))) {
      if (s instanceof Step.SetCanaryScale scale) {
        if (scale.replicas().isPresent()) {
          replicas = scale.replicas().get();
        } else if (scale.percent().isPresent()) {
          replicas = RolloutMachine.ceilPercent(reference, scale.percent().get());
        } else {
          replicas = RolloutMachine.ceilPercent(reference, weight);
        }
      }
    }
    if (weight > 0) {
      replicas = Math.max(1, replicas);
    }
    Optional<Integer> cap = spec.scaling().preScaleCap();
    return cap.isPresent() ? Math.min(replicas, Math.max(cap.get(), weight > 0 ? 1 : 0)) : replicas;
  }

  static int referenceReplicas(RolloutStatus st, Observation obs) {
    return st.stableScaling().replicas().isPresent()
        ? st.stableScaling().referenceReplicas().orElse(obs.stable().desired())
        : obs.stable().desired();
  }

  /**
   * When the analysis step in force evaluates next: as the status says once it evaluated, else its
   * initial delay after the step started. Derived rather than saved on entering the step, where it
   * would be a save of its own that tells no event.
   */
  static Optional<Instant> stepAnalysisAt(CanarySpec spec, RolloutStatus st) {
    if (st.stepAnalysis().nextAt().isPresent()) {
      return st.stepAnalysis().nextAt();
    }
    return currentStep(spec, st).filter(s -> s instanceof Step.Analysis)
        .flatMap(s -> st.timers().stepStartedAt().map(started -> started.plus(((Step.Analysis) s).analysis().initialDelay())));
  }

  static Optional<Step> currentStep(CanarySpec spec, RolloutStatus st) {
    return st.stepIndex() < spec.steps().size() ? Optional.of(spec.steps().get(st.stepIndex())) : Optional.empty();
  }
}
