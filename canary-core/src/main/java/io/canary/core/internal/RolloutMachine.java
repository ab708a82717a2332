package io.canary.core.internal;

import static io.canary.core.internal.Transitions.condition;
import static io.canary.core.internal.Transitions.copy;
import static io.canary.core.internal.Transitions.nextStep;
import static io.canary.core.internal.Transitions.refused;
import static io.canary.core.internal.Transitions.toAborting;
import static io.canary.core.internal.Transitions.toPromoting;

import io.canary.core.AnalysisRecord;
import io.canary.core.AnalysisSpec;
import io.canary.core.CanaryException;
import io.canary.core.CanarySpec;
import io.canary.core.Condition;
import io.canary.core.Control;
import io.canary.core.DriftPolicy;
import io.canary.core.HeaderRoute;
import io.canary.core.MirrorRoute;
import io.canary.core.PauseReason;
import io.canary.core.Phase;
import io.canary.core.Revisions;
import io.canary.core.RolloutStatus;
import io.canary.core.Stage;
import io.canary.core.Step;
import io.canary.core.StepProgress;
import io.canary.core.analysis.LifecyclePoint;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The rollout state machine as pure functions of (spec, status, observed cluster state, now): no
 * I/O, no clock, no threads. {@link io.canary.core.CanaryRunner} carries out the actions a decision
 * names and saves its status; a runner that resumes a saved status asks {@link #resume} what to do.
 * The steps' decisions are in {@link Steps}, promotion's and abort's in {@link Endings}.
 */
public final class RolloutMachine {
  public static final String REASON_STARTED = "RolloutStarted";
  public static final String REASON_ABORTED_BY_USER = "AbortedByUser";
  public static final String REASON_ANALYSIS_FAILED = "AnalysisFailed";
  public static final String REASON_DEADLINE = "ProgressDeadlineExceeded";
  public static final String REASON_COMPLETED = "RolloutCompleted";
  public static final String REASON_ACTION_FAILED = "ActionFailed";
  public static final String REASON_ROUTING_REFUSED = "RoutingRefused";
  /** The canary workload was deleted or scaled to zero outside the rollout. */
  public static final String REASON_CANARY_LOST = "CanaryWorkloadLost";

  private RolloutMachine() {}

  /** The status of a rollout that has just been accepted. */
  public static RolloutStatus initial(CanarySpec spec, String fingerprint, Instant now) {
    return RolloutStatus.builder()
        .namespace(spec.namespace())
        .name(spec.name())
        .phase(Phase.PENDING)
        .step(StepProgress.of(spec.steps().size()))
        .specFingerprint(fingerprint)
        .lastTransitionTime(now)
        .build();
  }

  /** The next thing to do. Pure: the same inputs always give the same decision. */
  public static Decision decide(CanarySpec spec, RolloutStatus st, Observation obs, Instant now) {
    return switch (st.phase()) {
      case PENDING -> start(spec, st, now);
      case PROGRESSING, PAUSED -> Steps.progress(spec, st, obs, now);
      case PROMOTING -> Endings.promote(spec, st, obs, now);
      case ABORTING -> Endings.abort(spec, st, obs, now);
      case SUCCEEDED, ABORTED, FAILED -> Decision.waitFor(st, Optional.empty());
    };
  }

  /**
   * How a runner carries on a stored status: the canary found again and watched (what the last runner
   * asked of it may not have reached the cluster, so it is asked again: scaling is idempotent), the
   * promotion started again where it was under way, and owned weights that drifted put back.
   * {@code routing} reads the weights the routing objects carry; it is read only where weights can drift.
   */
  public static Decision resume(CanarySpec spec, RolloutStatus st, Supplier<List<RouteWeight>> routing) {
    return resume(spec, st, routing, DriftPolicy.REVERT, st.lastTransitionTime());
  }

  /**
   * As {@link #resume(CanarySpec, RolloutStatus, Supplier)}, with drifted weights handled by {@code policy}:
   * put back, or left as found while the rollout pauses. A rollout paused for drift stays paused with
   * the weights as found.
   */
  public static Decision resume(CanarySpec spec, RolloutStatus st, Supplier<List<RouteWeight>> routing, DriftPolicy policy,
      Instant now) {
    Phase phase = st.phase();
    if (phase.isTerminal() || st.revisions().isEmpty()) {
      return Decision.waitFor(st, Optional.empty());
    }
    boolean stepping = phase == Phase.PROGRESSING || phase == Phase.PAUSED;
    List<Action> actions = new ArrayList<>();
    RolloutStatus next = st;
    if (stepping) {
      actions.add(new Action.EnsureCanary());
      next = StatusEdit.of(st).withCanaryReplicasRequested(Optional.empty()).done();
    } else {
      actions.add(new Action.WatchWorkloads());
    }
    if (phase == Phase.PROMOTING && st.stage() == Stage.PROMOTE_STABLE) {
      actions.add(new Action.PromoteStable());
    }
    if (stepping) {
      List<RouteWeight> found = routing.get();
      Optional<Integer> stepWeight = Steps.currentStep(spec, st).filter(s -> s instanceof Step.SetWeight)
          .map(s -> ((Step.SetWeight) s).weight());
      boolean writtenBeforeSave = stepWeight.isPresent() && !found.isEmpty()
          && found.stream().allMatch(w -> w.canaryWeight() == stepWeight.get());
      if (writtenBeforeSave && stepWeight.get() != st.currentWeight()) {
        // The last runner wrote this step's weight and stopped before saving it: carry on from what the
        // routing carries, never back to the older weight (the canary's traffic would flap).
        next = StatusEdit.of(next).withCurrentWeight(stepWeight.get()).withDesiredWeight(stepWeight.get()).done();
        actions.add(new Action.ApplyRouting(routingFor(spec, next)));
      } else if (!RoutingDrift.drifted(found, st.currentWeight()).isEmpty()
          && !st.pauseReason().equals(Optional.of(PauseReason.RoutingDrift))) {
        actions.add(new Action.ReportDrift(st.currentWeight(), found, policy));
        if (policy == DriftPolicy.REVERT) {
          actions.add(new Action.ApplyRouting(routingFor(spec, st)));
        } else if (st.phase() != Phase.PAUSED || st.pauseReason().equals(Optional.of(PauseReason.CanaryPauseStep))) {
          next = Steps.pausedForDrift(next, now);
        }
      }
    }
    return new Decision(actions, next, Optional.empty());
  }

  /** The status once {@link Action.EnsureCanary} found or created the revisions. */
  public static RolloutStatus withRevisions(RolloutStatus st, Revisions revisions) {
    return StatusEdit.of(st).withStableRevision(revisions.stable()).withCanaryRevision(revisions.canary()).done();
  }

  /**
   * Folds one analysis result into the status: go on, try again later, pause, or abort; the status
   * keeps the result with its checks ({@link RolloutStatus#lastAnalysis()}).
   */
  public static RolloutStatus afterAnalysis(
      CanarySpec spec, RolloutStatus st, AnalysisSpec analysis, boolean background, AnalysisResult result, Instant now) {
    if (!st.phase().equals(Phase.PROGRESSING) && !st.phase().equals(Phase.PAUSED)) {
      return st;
    }
    AnalysisRecord record = AnalysisRecord.of(analysis.name(), background ? "background" : StepNumbers.position(st), result, now);
    return StatusEdit.of(folded(spec, st, analysis, background, result, now)).withLastAnalysis(record).done();
  }

  private static RolloutStatus folded(
      CanarySpec spec, RolloutStatus st, AnalysisSpec analysis, boolean background, AnalysisResult result, Instant now) {
    Instant again = now.plus(analysis.interval());
    String what = "analysis '" + analysis.name() + "'" + (background ? " (background)" : " (" + StepNumbers.position(st) + ")");
    switch (result.verdict()) {
      case PASS -> {
        if (background) {
          return copy(st, now).withBackgroundInconclusive(0).withNextBackgroundAnalysisAt(again).done();
        }
        int passes = st.stepAnalysis().passes() + 1;
        if (passes >= analysis.successfulRuns()) {
          return nextStep(st, now).withMessage(what + " passed: " + result.message()).done();
        }
        return copy(st, now).withAnalysisPasses(passes).withAnalysisInconclusive(0).withNextAnalysisAt(again).done();
      }
      case FAIL -> {
        int failures = (background ? st.backgroundAnalysis().failures() : st.stepAnalysis().failures()) + 1;
        if (failures > analysis.failureLimit()) {
          return toAborting(st, now, REASON_ANALYSIS_FAILED, what + " failed: " + result.message()).done();
        }
        return (background
            ? copy(st, now).withBackgroundFailures(failures).withNextBackgroundAnalysisAt(again)
            : copy(st, now).withAnalysisFailures(failures).withNextAnalysisAt(again)).done();
      }
      case INCONCLUSIVE -> {
        int inconclusive = (background ? st.backgroundAnalysis().inconclusive() : st.stepAnalysis().inconclusive()) + 1;
        if (inconclusive > analysis.inconclusiveLimit()) {
          String why = what + " was inconclusive " + inconclusive + " times in a row: " + result.message()
              + "; promote() to go on or abort() to roll back";
          StatusEdit paused = copy(st, now)
              .withPhase(Phase.PAUSED)
              .withPauseReason(PauseReason.InconclusiveAnalysis)
              .withMessage(why);
          if (background) {
            paused.withBackgroundInconclusive(inconclusive).withNextBackgroundAnalysisAt(Optional.empty());
          } else {
            paused.withAnalysisInconclusive(inconclusive).withNextAnalysisAt(Optional.empty());
          }
          return condition(paused, Condition.PAUSED, true, PauseReason.InconclusiveAnalysis.name(), why, now).done();
        }
        return (background
            ? copy(st, now).withBackgroundInconclusive(inconclusive).withNextBackgroundAnalysisAt(again)
            : copy(st, now).withAnalysisInconclusive(inconclusive).withNextAnalysisAt(again)).done();
      }
    }
    throw new IllegalStateException("unknown verdict " + result.verdict());
  }

  /** A failure the runner could not get past (an adapter kept failing): a person must look. */
  public static RolloutStatus toFailed(RolloutStatus st, Instant now, String reason, String message) {
    return Transitions.toFailed(st, now, reason, message).done();
  }

  /**
   * Applies a person's request to the status, or explains why it does not apply now.
   *
   * @throws CanaryException naming the rollout, its phase and step, and what would work instead
   */
  public static RolloutStatus control(CanarySpec spec, RolloutStatus st, Control control, Instant now) {
    Phase phase = st.phase();
    switch (control) {
      case PROMOTE -> {
        Optional<Step> step = Steps.currentStep(spec, st);
        boolean atPause = step.filter(s -> s instanceof Step.Pause).isPresent();
        boolean atAnalysis = step.filter(s -> s instanceof Step.Analysis).isPresent();
        if (phase == Phase.PAUSED && (atPause || atAnalysis)) {
          return condition(nextStep(st, now).withMessage("promoted by user"), Condition.PAUSED, false, "Promoted",
              "promoted by user", now).done();
        }
        if (phase == Phase.PAUSED && st.pauseReason().equals(Optional.of(PauseReason.InconclusiveAnalysis))) {
          StatusEdit resumed = copy(st, now).withPhase(Phase.PROGRESSING).withPauseReason(Optional.empty())
              .withBackgroundInconclusive(0).withBackgroundFailures(0)
              .withNextBackgroundAnalysisAt(spec.analysis().map(a -> now.plus(a.interval())))
              .withMessage("promoted by user past an inconclusive background analysis");
          return condition(resumed, Condition.PAUSED, false, "Promoted", "promoted by user", now).done();
        }
        if (phase == Phase.PROGRESSING && atAnalysis) {
          return nextStep(st, now).withMessage("analysis step skipped by promote()").done();
        }
        throw refused(st, spec, control, phase == Phase.PROGRESSING
            ? "it skips a pause or an analysis step only; promoteFully() skips every remaining step"
            : "it applies to a paused rollout");
      }
      case PROMOTE_FULLY -> {
        if (phase == Phase.PROGRESSING || phase == Phase.PAUSED) {
          StatusEdit skipped = condition(copy(st, now).withPhase(Phase.PROGRESSING).withPauseReason(Optional.empty()),
              Condition.PAUSED, false, "PromotedFully", "promoted fully by user", now).withStepIndex(spec.steps().size());
          return toPromoting(skipped.done(), now, "promoted fully by user: remaining steps skipped").done();
        }
        throw refused(st, spec, control, "it applies to a progressing or paused rollout");
      }
      case ABORT -> {
        if (phase == Phase.ABORTING || phase == Phase.ABORTED) {
          return st;
        }
        boolean beforePromotion = phase == Phase.PENDING || phase == Phase.PROGRESSING || phase == Phase.PAUSED
            || ((phase == Phase.PROMOTING || phase == Phase.FAILED) && st.stage() == Stage.NONE);
        if (beforePromotion) {
          return toAborting(st, now, REASON_ABORTED_BY_USER, "aborted by user").done();
        }
        throw refused(st, spec, control, phase == Phase.SUCCEEDED
            ? "the rollout has succeeded; release the previous revision as a new rollout to go back"
            : "the stable workload already takes the new revision (stage " + st.stage() + ")");
      }
      case PAUSE -> {
        if (phase == Phase.PAUSED && st.pauseReason().equals(Optional.of(PauseReason.UserPause))) {
          return st;
        }
        if (phase == Phase.PROGRESSING || phase == Phase.PAUSED) {
          StatusEdit paused = copy(st, now).withPhase(Phase.PAUSED).withPauseReason(PauseReason.UserPause)
              .withMessage("paused by user: resume() to go on");
          return condition(paused, Condition.PAUSED, true, PauseReason.UserPause.name(), "paused by user", now).done();
        }
        throw refused(st, spec, control, "it holds a progressing or paused rollout");
      }
      case RESUME -> {
        if (phase == Phase.PAUSED && st.pauseReason().equals(Optional.of(PauseReason.RoutingDrift))) {
          StatusEdit resumed = copy(st, now).withPhase(Phase.PROGRESSING).withPauseReason(Optional.empty())
              .withMessage("resumed by user: the rollout's weights are put back");
          return condition(resumed, Condition.PAUSED, false, "Resumed", "resumed by user", now).done();
        }
        if (phase == Phase.PAUSED && st.pauseReason().equals(Optional.of(PauseReason.UserPause))) {
          StatusEdit resumed = copy(st, now).withPhase(Phase.PROGRESSING).withPauseReason(Optional.empty())
              .withMessage("resumed by user");
          return condition(resumed, Condition.PAUSED, false, "Resumed", "resumed by user", now).done();
        }
        throw refused(st, spec, control, "it goes on after pause(); promote() goes past a pause step or an analysis");
      }
      case RETRY -> {
        if (phase == Phase.ABORTED) {
          StatusEdit again = copy(st, now)
              .clearStepAnalysis()
              .withPhase(Phase.PENDING)
              .withStage(Stage.NONE)
              .withStepIndex(0)
              .withCurrentWeight(0)
              .withDesiredWeight(0)
              .withAttempt(st.attempt() + 1)
              .withAbortReason(Optional.empty())
              .withDueAt(Optional.empty())
              .withCanaryReplicasRequested(Optional.empty())
              .withoutRevisions()
              .withMessage("retried by user: starting again from the first step");
          return condition(again, Condition.ABORTED, false, "Retried", "retried by user", now).done();
        }
        throw refused(st, spec, control, "it applies to an aborted rollout; abort() first");
      }
    }
    throw new IllegalStateException("unknown control " + control);
  }

  /** The point whose gates are told of the transition from {@code before} to {@code after}, if any. */
  public static Optional<LifecyclePoint> toldGates(CanarySpec spec, RolloutStatus before, RolloutStatus after) {
    return Gates.told(spec, before, after);
  }

  /** The header routes in force once the steps before {@code stepIndex} ran, in first-set order. */
  public static List<HeaderRoute> headerRoutesInForce(CanarySpec spec, int stepIndex) {
    return Routings.headerRoutesInForce(spec, stepIndex);
  }

  /** The mirror routes in force once the steps before {@code stepIndex} ran, in first-set order. */
  public static List<MirrorRoute> mirrorRoutesInForce(CanarySpec spec, int stepIndex) {
    return Routings.mirrorRoutesInForce(spec, stepIndex);
  }

  /** {@code percent} of {@code replicas}, rounded up, as Kubernetes does for surge and HPA counts. */
  public static int ceilPercent(int replicas, int percent) {
    return (int) ((replicas * (long) percent + 99) / 100);
  }

  /**
   * What the routing objects carry while {@code st} stands (its weight, its revisions' labels and the
   * managed routes of the steps done), so a resumed runner can put drifted weights back.
   */
  public static RoutingState routingFor(CanarySpec spec, RolloutStatus st) {
    return Routings.routing(st, st.currentWeight(), spec, st.stepIndex());
  }

  /**
   * Weight 0 with each side pinned to its revision's labels: what the routing carries before the
   * canary's first pod, so that the stable side selects the stable revision's pods only.
   */
  public static RoutingState pinned(RolloutStatus st) {
    return Routings.pinned(st.revisions().orElseThrow(() -> new IllegalStateException(st.key() + " has no revisions yet")));
  }

  /** The routing objects as the user had them: no weight to the canary, no label the rollout added. */
  public static RoutingState release(Revisions revisions) {
    return Routings.release(revisions);
  }

  private static Decision start(CanarySpec spec, RolloutStatus st, Instant now) {
    Optional<Decision> held = Gates.hold(spec, st, LifecyclePoint.PRE_ROLLOUT, -1, 0, now);
    if (held.isPresent()) {
      return held.get();
    }
    if (st.revisions().isEmpty()) {
      // Saved on its own, so that a roll-back from here knows the labels it must give back.
      return Decision.transition(copy(st, now).withMessage("pinning the stable side to its revision").done(),
          new Action.PinStable());
    }
    StatusEdit next = copy(st, now)
        .withPhase(Phase.PROGRESSING)
        .withStepIndex(0)
        .withStepCount(spec.steps().size())
        .withStepStartedAt(now)
        .withNextBackgroundAnalysisAt(spec.analysis().map(a -> now.plus(a.initialDelay())))
        .withMessage(st.attempt() == 0 ? "rollout started" : "rollout retried (attempt " + (st.attempt() + 1) + ")");
    condition(next, Condition.PROGRESSING, true, REASON_STARTED, "canary " + spec.revision() + " is rolling out", now);
    return Decision.transition(next.done(), new Action.EnsureCanary());
  }
}
