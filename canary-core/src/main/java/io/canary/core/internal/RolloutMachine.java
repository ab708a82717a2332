package io.canary.core.internal;

import io.canary.core.AnalysisSpec;
import io.canary.core.CanaryException;
import io.canary.core.CanarySpec;
import io.canary.core.Condition;
import io.canary.core.Control;
import io.canary.core.Durations;
import io.canary.core.HeaderRoute;
import io.canary.core.ImmutableRolloutStatus;
import io.canary.core.MirrorRoute;
import io.canary.core.PauseReason;
import io.canary.core.Phase;
import io.canary.core.Revision;
import io.canary.core.Revisions;
import io.canary.core.RolloutStatus;
import io.canary.core.Stage;
import io.canary.core.Step;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.CanaryScale;
import io.canary.core.spi.RoutingState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The rollout state machine as pure functions of (spec, status, observed cluster state, now): no
 * I/O, no clock, no threads. {@link io.canary.core.CanaryRunner} carries out the actions a decision
 * names and saves its status; a runner that resumes a saved status simply decides again.
 */
public final class RolloutMachine {
  public static final String REASON_STARTED = "RolloutStarted";
  public static final String REASON_ABORTED_BY_USER = "AbortedByUser";
  public static final String REASON_ANALYSIS_FAILED = "AnalysisFailed";
  public static final String REASON_DEADLINE = "ProgressDeadlineExceeded";
  public static final String REASON_COMPLETED = "RolloutCompleted";
  public static final String REASON_ACTION_FAILED = "ActionFailed";

  private RolloutMachine() {}

  /** The status of a rollout that has just been accepted. */
  public static RolloutStatus initial(CanarySpec spec, String fingerprint, Instant now) {
    return RolloutStatus.builder()
        .namespace(spec.namespace())
        .name(spec.name())
        .phase(Phase.PENDING)
        .stepCount(spec.steps().size())
        .specFingerprint(fingerprint)
        .lastTransitionTime(now)
        .build();
  }

  /** The next thing to do. Pure: the same inputs always give the same decision. */
  public static Decision decide(CanarySpec spec, RolloutStatus st, Observation obs, Instant now) {
    return switch (st.phase()) {
      case PENDING -> start(spec, st, now);
      case PROGRESSING, PAUSED -> progress(spec, st, obs, now);
      case PROMOTING -> promote(spec, st, obs, now);
      case ABORTING -> abort(spec, st, obs, now);
      case SUCCEEDED, ABORTED, FAILED -> Decision.waitFor(st, Optional.empty());
    };
  }

  /** The status once {@link Action.EnsureCanary} found or created the revisions. */
  public static ImmutableRolloutStatus withRevisions(RolloutStatus st, Revisions revisions) {
    return RolloutStatus.copyOf(st).withStableRevision(revisions.stable()).withCanaryRevision(revisions.canary());
  }

  /** Folds one analysis result into the status: go on, try again later, pause, or abort. */
  public static RolloutStatus afterAnalysis(
      CanarySpec spec, RolloutStatus st, AnalysisSpec analysis, boolean background, AnalysisResult result, Instant now) {
    if (!st.phase().equals(Phase.PROGRESSING) && !st.phase().equals(Phase.PAUSED)) {
      return st;
    }
    Instant again = now.plus(analysis.interval());
    String what = "analysis '" + analysis.name() + "'" + (background ? " (background)" : " (step " + (st.stepIndex() + 1) + ")");
    switch (result.verdict()) {
      case PASS -> {
        if (background) {
          return copy(st, now).withBackgroundInconclusive(0).withNextBackgroundAnalysisAt(again);
        }
        int passes = st.analysisPasses() + 1;
        if (passes >= analysis.successfulRuns()) {
          return nextStep(st, now).withMessage(what + " passed: " + result.message());
        }
        return copy(st, now).withAnalysisPasses(passes).withAnalysisInconclusive(0).withNextAnalysisAt(again);
      }
      case FAIL -> {
        int failures = (background ? st.backgroundFailures() : st.analysisFailures()) + 1;
        if (failures > analysis.failureLimit()) {
          return toAborting(st, now, REASON_ANALYSIS_FAILED, what + " failed: " + result.message());
        }
        return background
            ? copy(st, now).withBackgroundFailures(failures).withNextBackgroundAnalysisAt(again)
            : copy(st, now).withAnalysisFailures(failures).withNextAnalysisAt(again);
      }
      case INCONCLUSIVE -> {
        int inconclusive = (background ? st.backgroundInconclusive() : st.analysisInconclusive()) + 1;
        if (inconclusive > analysis.inconclusiveLimit()) {
          String why = what + " was inconclusive " + inconclusive + " times in a row: " + result.message()
              + "; promote() to go on or abort() to roll back";
          ImmutableRolloutStatus paused = copy(st, now)
              .withPhase(Phase.PAUSED)
              .withPauseReason(PauseReason.InconclusiveAnalysis)
              .withMessage(why);
          paused = background
              ? paused.withBackgroundInconclusive(inconclusive).withNextBackgroundAnalysisAt(Optional.empty())
              : paused.withAnalysisInconclusive(inconclusive).withNextAnalysisAt(Optional.empty());
          return condition(paused, Condition.PAUSED, true, PauseReason.InconclusiveAnalysis.name(), why, now);
        }
        return background
            ? copy(st, now).withBackgroundInconclusive(inconclusive).withNextBackgroundAnalysisAt(again)
            : copy(st, now).withAnalysisInconclusive(inconclusive).withNextAnalysisAt(again);
      }
    }
    throw new IllegalStateException("unknown verdict " + result.verdict());
  }

  /** A failure the runner could not get past (an adapter kept failing): a person must look. */
  public static ImmutableRolloutStatus toFailed(RolloutStatus st, Instant now, String reason, String message) {
    ImmutableRolloutStatus failed = copy(st, now).withPhase(Phase.FAILED).withAbortReason(message).withMessage(message)
        .withPauseReason(Optional.empty()).withPauseUntil(Optional.empty()).withWaitingSince(Optional.empty());
    return condition(failed, Condition.PROGRESSING, false, reason, message, now);
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
        Optional<Step> step = currentStep(spec, st);
        boolean atPause = step.filter(s -> s instanceof Step.Pause).isPresent();
        boolean atAnalysis = step.filter(s -> s instanceof Step.Analysis).isPresent();
        if (phase == Phase.PAUSED && (atPause || atAnalysis)) {
          return condition(nextStep(st, now).withMessage("promoted by user"), Condition.PAUSED, false, "Promoted",
              "promoted by user", now);
        }
        if (phase == Phase.PAUSED && st.pauseReason().equals(Optional.of(PauseReason.InconclusiveAnalysis))) {
          ImmutableRolloutStatus resumed = copy(st, now).withPhase(Phase.PROGRESSING).withPauseReason(Optional.empty())
              .withBackgroundInconclusive(0).withBackgroundFailures(0)
              .withNextBackgroundAnalysisAt(spec.analysis().map(a -> now.plus(a.interval())))
              .withMessage("promoted by user past an inconclusive background analysis");
          return condition(resumed, Condition.PAUSED, false, "Promoted", "promoted by user", now);
        }
        if (phase == Phase.PROGRESSING && atAnalysis) {
          return nextStep(st, now).withMessage("analysis step skipped by promote()");
        }
        throw refused(st, spec, control, phase == Phase.PROGRESSING
            ? "it skips a pause or an analysis step only; promoteFully() skips every remaining step"
            : "it applies to a paused rollout");
      }
      case PROMOTE_FULLY -> {
        if (phase == Phase.PROGRESSING || phase == Phase.PAUSED) {
          ImmutableRolloutStatus skipped = condition(copy(st, now).withPhase(Phase.PROGRESSING).withPauseReason(Optional.empty()),
              Condition.PAUSED, false, "PromotedFully", "promoted fully by user", now);
          return toPromoting(skipped.withStepIndex(spec.steps().size()), now, "promoted fully by user: remaining steps skipped");
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
          return toAborting(st, now, REASON_ABORTED_BY_USER, "aborted by user");
        }
        throw refused(st, spec, control, phase == Phase.SUCCEEDED
            ? "the rollout has succeeded; release the previous revision as a new rollout to go back"
            : "the stable workload already takes the new revision (stage " + st.stage() + ")");
      }
      case RETRY -> {
        if (phase == Phase.ABORTED) {
          ImmutableRolloutStatus again = copy(st, now)
              .withPhase(Phase.PENDING)
              .withStage(Stage.NONE)
              .withStepIndex(0)
              .withCurrentWeight(0)
              .withDesiredWeight(0)
              .withAttempt(st.attempt() + 1)
              .withAbortReason(Optional.empty())
              .withDueAt(Optional.empty())
              .withCanaryReplicasRequested(Optional.empty())
              .withMessage("retried by user: starting again from the first step");
          return condition(clearAnalysis(again), Condition.ABORTED, false, "Retried", "retried by user", now);
        }
        throw refused(st, spec, control, "it applies to an aborted rollout; abort() first");
      }
    }
    throw new IllegalStateException("unknown control " + control);
  }

  /** The header routes in force once the steps before {@code stepIndex} ran, in first-set order. */
  public static List<HeaderRoute> headerRoutesInForce(CanarySpec spec, int stepIndex) {
    return inForce(spec, stepIndex, Step.SetHeaderRoute.class, Step.SetHeaderRoute::name,
        h -> h.matches().isEmpty() ? null : h.route());
  }

  /** The mirror routes in force once the steps before {@code stepIndex} ran, in first-set order. */
  public static List<MirrorRoute> mirrorRoutesInForce(CanarySpec spec, int stepIndex) {
    return inForce(spec, stepIndex, Step.SetMirrorRoute.class, Step.SetMirrorRoute::name,
        m -> m.matches().isEmpty() ? null : m.route());
  }

  /** Routes set by steps of kind {@code S} before {@code stepIndex}; a step whose route is null removes its name. */
  private static <S extends Step, R> List<R> inForce(CanarySpec spec, int stepIndex, Class<S> kind,
      java.util.function.Function<S, String> name, java.util.function.Function<S, R> route) {
    Map<String, R> routes = new LinkedHashMap<>();
    for (Step s : spec.steps().subList(0, Math.min(stepIndex, spec.steps().size()))) {
      if (kind.isInstance(s)) {
        S step = kind.cast(s);
        R r = route.apply(step);
        if (r == null) {
          routes.remove(name.apply(step));
        } else {
          routes.put(name.apply(step), r);
        }
      }
    }
    return List.copyOf(routes.values());
  }

  /** {@code percent} of {@code replicas}, rounded up, as Kubernetes does for surge and HPA counts. */
  public static int ceilPercent(int replicas, int percent) {
    return (int) ((replicas * (long) percent + 99) / 100);
  }

  // ---------------------------------------------------------------------------------------------

  private static Decision start(CanarySpec spec, RolloutStatus st, Instant now) {
    RolloutStatus next = copy(st, now)
        .withPhase(Phase.PROGRESSING)
        .withStepIndex(0)
        .withStepCount(spec.steps().size())
        .withStepStartedAt(now)
        .withNextBackgroundAnalysisAt(spec.analysis().map(a -> now.plus(a.initialDelay())))
        .withMessage(st.attempt() == 0 ? "rollout started" : "rollout retried (attempt " + (st.attempt() + 1) + ")");
    next = condition(next, Condition.PROGRESSING, true, REASON_STARTED, "canary " + spec.revision() + " is rolling out", now);
    return Decision.transition(next, new Action.EnsureCanary());
  }

  private static Decision progress(CanarySpec spec, RolloutStatus st, Observation obs, Instant now) {
    if (st.pauseReason().equals(Optional.of(PauseReason.InconclusiveAnalysis))) {
      return Decision.waitFor(st, Optional.empty());
    }
    if (spec.analysis().isPresent() && due(st.nextBackgroundAnalysisAt(), now)) {
      return new Decision(List.of(new Action.Evaluate(spec.analysis().get(), true)), st, Optional.empty());
    }
    if (due(st.stableScaleDownAt(), now)) {
      int reference = referenceReplicas(st, obs);
      int target = ceilPercent(reference, 100 - st.currentWeight());
      RolloutStatus next = copy(st, now).withStableScale(target).withReferenceReplicas(reference)
          .withStableScaleDownAt(Optional.empty());
      return Decision.transition(next, new Action.ScaleStable(Optional.of(target),
          "dynamic stable scale: stable takes " + (100 - st.currentWeight()) + "% of the traffic"));
    }
    int index = st.stepIndex();
    if (index >= spec.steps().size()) {
      return Decision.transition(toPromoting(st, now, "all " + spec.steps().size() + " steps done"));
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
          .orElseGet(() -> Decision.transition(nextStep(st, now)));
    }
    if (step instanceof Step.Analysis a) {
      if (st.nextAnalysisAt().isEmpty()) {
        return Decision.transition(copy(st, now).withNextAnalysisAt(now.plus(a.analysis().initialDelay())));
      }
      if (due(st.nextAnalysisAt(), now)) {
        return new Decision(List.of(new Action.Evaluate(a.analysis(), false)), st, Optional.empty());
      }
      return Decision.waitFor(st, wakeAt(spec, st));
    }
    // A header or mirror route step: matching requests reach the canary, so it needs a ready pod.
    boolean sendsToCanary = step instanceof Step.SetHeaderRoute h
        ? !h.matches().isEmpty() && h.canaryWeight() > 0
        : !((Step.SetMirrorRoute) step).matches().isEmpty();
    if (sendsToCanary) {
      int atLeast = Math.max(1, st.canaryReplicasRequested().orElse(0));
      Optional<Decision> waiting = withCanaryReplicas(spec, st, obs, now, atLeast, 1, false, step.describe());
      if (waiting.isPresent()) {
        return waiting.get();
      }
    }
    RoutingState routing = routing(st, st.currentWeight(), spec, index + 1);
    return Decision.transition(nextStep(st, now), new Action.ApplyRouting(routing));
  }

  private static Decision setWeight(CanarySpec spec, RolloutStatus st, Observation obs, Instant now, int weight) {
    int index = st.stepIndex();
    if (st.stableScale().isPresent()) {
      // Dynamic stable scale shrank stable: it gets its pods back before it gets traffic back.
      int stableNeeded = ceilPercent(referenceReplicas(st, obs), 100 - weight);
      if (stableNeeded > st.stableScale().get()) {
        RolloutStatus next = copy(st, now).withStableScale(stableNeeded).withDesiredWeight(weight)
            .withWaitingSince(st.waitingSince().orElse(now));
        return Decision.transition(next, new Action.ScaleStable(Optional.of(stableNeeded),
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
    ImmutableRolloutStatus next = nextStep(st, now).withCurrentWeight(weight).withDesiredWeight(weight);
    if (spec.scaling().dynamicStableScale() && weight > st.currentWeight()) {
      next = next.withStableScaleDownAt(now.plus(spec.scaling().stableScaleDownDelay()));
    }
    if (weight == st.currentWeight()) {
      return Decision.transition(next);
    }
    return Decision.transition(next, new Action.ApplyRouting(routing(st, weight, spec, index + 1)));
  }

  /**
   * Asks for {@code replicas} canary pods if that was not asked yet and waits until {@code ready} of
   * them are available; empty once they are. Unless {@code exact} (a setCanaryScale step), the canary
   * only grows here: a canary whose weight goes down keeps its pods rather than shrink before its
   * traffic does.
   */
  private static Optional<Decision> withCanaryReplicas(CanarySpec spec, RolloutStatus st, Observation obs, Instant now,
      int replicas, int ready, boolean exact, String why) {
    int requested = st.canaryReplicasRequested().orElse(-1);
    if (exact ? requested != replicas : requested < replicas) {
      RolloutStatus next = copy(st, now).withCanaryReplicasRequested(replicas)
          .withWaitingSince(st.waitingSince().orElse(now));
      CanaryScale request = exact && currentStep(spec, st).filter(s -> s instanceof Step.SetCanaryScale c && c.fixesCount())
          .isPresent() ? CanaryScale.fixed(replicas) : CanaryScale.preScale(replicas);
      return Optional.of(Decision.transition(next, new Action.ScaleCanary(request, why)));
    }
    if (obs.canary().available() >= ready) {
      return Optional.empty();
    }
    int weight = currentStep(spec, st).filter(s -> s instanceof Step.SetWeight)
        .map(s -> ((Step.SetWeight) s).weight()).orElse(st.currentWeight());
    return Optional.of(waitForReplicas(spec, st, now, weight, "canary", obs.canary().available(), ready));
  }

  private static Decision waitForReplicas(
      CanarySpec spec, RolloutStatus st, Instant now, int weight, String revision, int available, int needed) {
    if (st.waitingSince().isEmpty() || st.desiredWeight() != weight) {
      return Decision.transition(copy(st, now).withWaitingSince(st.waitingSince().orElse(now)).withDesiredWeight(weight)
          .withMessage("waiting for " + needed + " available " + revision + " replicas (" + available + " now)"));
    }
    Instant deadline = st.waitingSince().get().plus(spec.progressDeadline());
    if (!now.isBefore(deadline)) {
      String why = "step " + (st.stepIndex() + 1) + " (" + describeStep(spec, st) + "): the " + revision + " had "
          + available + " of " + needed + " replicas available after the progress deadline of "
          + Durations.format(spec.progressDeadline());
      return Decision.transition(toAborting(st, now, REASON_DEADLINE, why));
    }
    return Decision.waitFor(st, wakeAt(spec, st));
  }

  private static Decision pause(CanarySpec spec, RolloutStatus st, Instant now, Step.Pause p) {
    if (p.duration().filter(Duration::isZero).isPresent()) {
      return Decision.transition(nextStep(st, now));
    }
    if (st.phase() != Phase.PAUSED) {
      String why = p.untilPromoted() ? "paused until promoted" : "paused for " + Durations.format(p.duration().get());
      ImmutableRolloutStatus paused = copy(st, now)
          .withPhase(Phase.PAUSED)
          .withPauseReason(PauseReason.CanaryPauseStep)
          .withPauseUntil(p.duration().map(now::plus))
          .withMessage(why);
      return Decision.transition(condition(paused, Condition.PAUSED, true, PauseReason.CanaryPauseStep.name(), why, now));
    }
    if (due(st.pauseUntil(), now)) {
      return Decision.transition(condition(nextStep(st, now).withMessage("pause ended"), Condition.PAUSED, false,
          "PauseEnded", "pause ended", now));
    }
    return Decision.waitFor(st, wakeAt(spec, st));
  }

  private static Decision promote(CanarySpec spec, RolloutStatus st, Observation obs, Instant now) {
    Revisions revisions = st.revisions().orElseThrow(() -> new IllegalStateException(st.key() + " is promoting without revisions"));
    List<Action> restoreStable = st.stableScale().isPresent()
        ? List.of(new Action.ScaleStable(Optional.empty(), "promotion: the user's stable scale comes back"))
        : List.of();
    if (!spec.revision().createsCanaryWorkload()) {
      // The user runs both workloads: promotion moves all traffic to the new one, which becomes stable.
      List<Action> actions = new ArrayList<>(restoreStable);
      actions.add(new Action.ApplyRouting(routing(st, 100, spec, 0)));
      actions.add(new Action.RemoveCanary());
      RolloutStatus done = succeeded(st, now, revisions.canary(), 100);
      return new Decision(actions, done, Optional.empty());
    }
    switch (st.stage()) {
      case NONE -> {
        // The stable workload's rolling update replaces the pods its routing selects by their old hash:
        // while it runs, the stable routing selects every pod of the workload (old and new revision), so
        // the stable share of the traffic always finds ready pods.
        RoutingState duringPromotion = RoutingState.builder()
            .canaryWeight(st.currentWeight())
            .canaryLabels(revisions.canary().podLabels())
            .managedLabelKeys(labelKeys(revisions))
            .build();
        List<Action> actions = new ArrayList<>(restoreStable);
        actions.add(new Action.ApplyRouting(duringPromotion));
        actions.add(new Action.PromoteStable());
        RolloutStatus next = copy(st, now).withStage(Stage.PROMOTE_STABLE).withWaitingSince(now)
            .withStableScale(Optional.empty()).withReferenceReplicas(Optional.empty()).withStableScaleDownAt(Optional.empty())
            .withMessage("the stable workload " + revisions.stable().workload() + " takes revision " + revisions.canary().hash());
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
              .managedLabelKeys(labelKeys(revisions))
              .build();
          RolloutStatus next = copy(st, now).withStage(Stage.SCALE_DOWN_DELAY).withCurrentWeight(0).withDesiredWeight(0)
              .withStableRevision(promoted).withWaitingSince(Optional.empty())
              .withDueAt(now.plus(spec.scaleDownDelay()))
              .withMessage("all traffic on the stable workload, now at revision " + promoted.hash());
          return Decision.transition(next, new Action.ApplyRouting(switchStable));
        }
        Instant deadline = st.waitingSince().orElse(now).plus(spec.progressDeadline());
        if (!now.isBefore(deadline)) {
          return Decision.transition(toFailed(st, now, REASON_DEADLINE, "promotion: the stable workload "
              + revisions.stable().workload() + " did not run revision " + revisions.canary().hash()
              + " on all its replicas within the progress deadline of "
              + Durations.format(spec.progressDeadline())));
        }
        return Decision.waitFor(st, Optional.of(deadline));
      }
      case SCALE_DOWN_DELAY -> {
        if (due(st.dueAt(), now)) {
          RolloutStatus done = succeeded(st, now, revisions.stable(), 0);
          return Decision.transition(done, new Action.RemoveCanary(), new Action.ApplyRouting(release(revisions)));
        }
        return Decision.waitFor(st, st.dueAt());
      }
    }
    throw new IllegalStateException("unknown stage " + st.stage());
  }

  private static Decision abort(CanarySpec spec, RolloutStatus st, Observation obs, Instant now) {
    Optional<Revisions> revisions = st.revisions();
    if (revisions.isEmpty()) {
      return Decision.transition(aborted(st, now));
    }
    switch (st.stage()) {
      case NONE, PROMOTE_STABLE -> {
        if (st.stableScale().isPresent()) {
          RolloutStatus next = copy(st, now).withStableScale(Optional.empty()).withReferenceReplicas(Optional.empty())
              .withStableScaleDownAt(Optional.empty()).withWaitingSince(now);
          return Decision.transition(next, new Action.ScaleStable(Optional.empty(), "abort: stable needs all its pods back"));
        }
        if (st.waitingSince().isPresent() && obs.stable().available() < obs.stable().desired()
            && now.isBefore(st.waitingSince().get().plus(spec.progressDeadline()))) {
          // Stable is growing back; traffic follows once it can carry it (or at the deadline, whatever it has).
          return Decision.waitFor(st, Optional.of(st.waitingSince().get().plus(spec.progressDeadline())));
        }
        RolloutStatus next = copy(st, now).withStage(Stage.SCALE_DOWN_DELAY).withCurrentWeight(0).withDesiredWeight(0)
            .withWaitingSince(Optional.empty()).withDueAt(now.plus(spec.abortScaleDownDelay()))
            .withMessage("all traffic back on stable; the canary goes in "
                + Durations.format(spec.abortScaleDownDelay()));
        return Decision.transition(next, new Action.ApplyRouting(routing(st, 0, spec, 0)));
      }
      case SCALE_DOWN_DELAY -> {
        if (due(st.dueAt(), now)) {
          return Decision.transition(aborted(st, now), new Action.RemoveCanary(),
              new Action.ApplyRouting(release(revisions.get())));
        }
        return Decision.waitFor(st, st.dueAt());
      }
    }
    throw new IllegalStateException("unknown stage " + st.stage());
  }

  private static ImmutableRolloutStatus succeeded(RolloutStatus st, Instant now, Revision stable, int canaryWeight) {
    ImmutableRolloutStatus done = copy(st, now)
        .withPhase(Phase.SUCCEEDED)
        .withStage(Stage.NONE)
        .withStableRevision(stable)
        .withCurrentWeight(canaryWeight)
        .withDesiredWeight(canaryWeight)
        .withDueAt(Optional.empty())
        .withWaitingSince(Optional.empty())
        .withStableScale(Optional.empty())
        .withMessage("revision " + stable.hash() + " of " + stable.workload() + " is stable");
    done = condition(done, Condition.PROGRESSING, false, REASON_COMPLETED, "rollout completed", now);
    done = condition(done, Condition.AVAILABLE, true, REASON_COMPLETED, stable.workload() + " is stable", now);
    return condition(done, Condition.COMPLETED, true, REASON_COMPLETED, "rollout completed", now);
  }

  private static ImmutableRolloutStatus aborted(RolloutStatus st, Instant now) {
    return copy(st, now).withPhase(Phase.ABORTED).withStage(Stage.NONE).withDueAt(Optional.empty())
        .withMessage("aborted: " + st.abortReason().orElse("") + "; the canary is removed");
  }

  static ImmutableRolloutStatus toPromoting(RolloutStatus st, Instant now, String why) {
    ImmutableRolloutStatus next = clearAnalysis(copy(st, now))
        .withPhase(Phase.PROMOTING)
        .withStage(Stage.NONE)
        .withPauseReason(Optional.empty())
        .withPauseUntil(Optional.empty())
        .withWaitingSince(Optional.empty())
        .withNextBackgroundAnalysisAt(Optional.empty())
        .withMessage(why);
    return next;
  }

  static ImmutableRolloutStatus toAborting(RolloutStatus st, Instant now, String reason, String why) {
    ImmutableRolloutStatus next = clearAnalysis(copy(st, now))
        .withPhase(Phase.ABORTING)
        .withStage(Stage.NONE)
        .withAbortReason(why)
        .withPauseReason(Optional.empty())
        .withPauseUntil(Optional.empty())
        .withWaitingSince(Optional.empty())
        .withNextBackgroundAnalysisAt(Optional.empty())
        .withMessage("aborting: " + why);
    next = condition(next, Condition.PAUSED, false, reason, why, now);
    next = condition(next, Condition.PROGRESSING, false, reason, why, now);
    return condition(next, Condition.ABORTED, true, reason, why, now);
  }

  private static ImmutableRolloutStatus nextStep(RolloutStatus st, Instant now) {
    return clearAnalysis(copy(st, now))
        .withPhase(Phase.PROGRESSING)
        .withStepIndex(st.stepIndex() + 1)
        .withStepStartedAt(now)
        .withPauseReason(Optional.empty())
        .withPauseUntil(Optional.empty())
        .withWaitingSince(Optional.empty());
  }

  private static ImmutableRolloutStatus clearAnalysis(ImmutableRolloutStatus st) {
    return st.withAnalysisPasses(0).withAnalysisFailures(0).withAnalysisInconclusive(0).withNextAnalysisAt(Optional.empty());
  }

  private static ImmutableRolloutStatus copy(RolloutStatus st, Instant now) {
    return RolloutStatus.copyOf(st).withLastTransitionTime(now);
  }

  /** What the routing objects carry at {@code weight} with the managed routes of the steps before {@code stepIndex}. */
  private static RoutingState routing(RolloutStatus st, int weight, CanarySpec spec, int stepIndex) {
    Revisions revisions = st.revisions().orElseThrow(() -> new IllegalStateException(st.key() + " has no revisions yet"));
    boolean routesInForce = st.phase() == Phase.PROGRESSING || st.phase() == Phase.PAUSED;
    return RoutingState.builder()
        .canaryWeight(weight)
        .stableLabels(revisions.stable().podLabels())
        .canaryLabels(revisions.canary().podLabels())
        .managedLabelKeys(labelKeys(revisions))
        .headerRoutes(routesInForce ? headerRoutesInForce(spec, stepIndex) : List.of())
        .mirrorRoutes(routesInForce ? mirrorRoutesInForce(spec, stepIndex) : List.of())
        .build();
  }

  /**
   * What the routing objects carry while {@code st} stands (its weight, its revisions' labels and the
   * managed routes of the steps done), so a resumed runner can put drifted weights back.
   */
  public static RoutingState routingFor(CanarySpec spec, RolloutStatus st) {
    return routing(st, st.currentWeight(), spec, st.stepIndex());
  }

  /** The routing objects as the user had them: no weight to the canary, no label the rollout added. */
  public static RoutingState release(Revisions revisions) {
    return RoutingState.builder().canaryWeight(0).managedLabelKeys(labelKeys(revisions)).build();
  }

  private static Set<String> labelKeys(Revisions revisions) {
    Set<String> keys = new LinkedHashSet<>(revisions.stable().podLabels().keySet());
    keys.addAll(revisions.canary().podLabels().keySet());
    return keys;
  }

  /** Canary replicas for {@code weight}, or what a setCanaryScale before {@code stepIndex} fixed. */
  private static int canaryReplicasFor(CanarySpec spec, RolloutStatus st, Observation obs, int weight, int stepIndex) {
    int reference = referenceReplicas(st, obs);
    int replicas = ceilPercent(reference, weight);
    for (Step s : spec.steps().subList(0, Math.min(stepIndex, spec.steps().size()))) {
      if (s instanceof Step.SetCanaryScale scale) {
        if (scale.replicas().isPresent()) {
          replicas = scale.replicas().get();
        } else if (scale.percent().isPresent()) {
          replicas = ceilPercent(reference, scale.percent().get());
        } else {
          replicas = ceilPercent(reference, weight);
        }
      }
    }
    if (weight > 0) {
      replicas = Math.max(1, replicas);
    }
    Optional<Integer> cap = spec.scaling().preScaleCap();
    return cap.isPresent() ? Math.min(replicas, Math.max(cap.get(), weight > 0 ? 1 : 0)) : replicas;
  }

  private static int referenceReplicas(RolloutStatus st, Observation obs) {
    return st.stableScale().isPresent() ? st.referenceReplicas().orElse(obs.stable().desired()) : obs.stable().desired();
  }

  private static Optional<Step> currentStep(CanarySpec spec, RolloutStatus st) {
    return st.stepIndex() < spec.steps().size() ? Optional.of(spec.steps().get(st.stepIndex())) : Optional.empty();
  }

  private static String describeStep(CanarySpec spec, RolloutStatus st) {
    return currentStep(spec, st).map(Step::describe).orElse("promotion");
  }

  private static boolean due(Optional<Instant> at, Instant now) {
    return at.isPresent() && !now.isBefore(at.get());
  }

  /** The earliest time something the status waits for falls due. */
  private static Optional<Instant> wakeAt(CanarySpec spec, RolloutStatus st) {
    return Stream.of(
            st.pauseUntil(),
            st.nextAnalysisAt(),
            st.nextBackgroundAnalysisAt(),
            st.stableScaleDownAt(),
            st.dueAt(),
            st.waitingSince().map(w -> w.plus(spec.progressDeadline())))
        .flatMap(Optional::stream)
        .min(Instant::compareTo);
  }

  private static ImmutableRolloutStatus condition(RolloutStatus st, String type, boolean status, String reason, String message, Instant now) {
    List<Condition> conditions = new ArrayList<>();
    boolean replaced = false;
    for (Condition c : st.conditions()) {
      if (c.type().equals(type)) {
        Instant since = c.status() == status ? c.lastTransitionTime() : now;
        conditions.add(new Condition(type, status, reason, message, since));
        replaced = true;
      } else {
        conditions.add(c);
      }
    }
    if (!replaced) {
      conditions.add(new Condition(type, status, reason, message, now));
    }
    return RolloutStatus.copyOf(st).withConditions(conditions);
  }

  private static CanaryException refused(RolloutStatus st, CanarySpec spec, Control control, String rule) {
    return new CanaryException("Rollout " + st.key() + ": " + control.method() + " does not apply while "
        + st.phase().displayName()
        + (st.stage() == Stage.NONE ? "" : " (stage " + st.stage() + ")")
        + " at step " + Math.min(st.stepIndex() + 1, spec.steps().size()) + "/" + spec.steps().size()
        + " (" + describeStep(spec, st) + "): " + rule);
  }
}
