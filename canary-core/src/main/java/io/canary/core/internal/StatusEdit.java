package io.canary.core.internal;

import io.canary.core.AnalysisCounters;
import io.canary.core.AnalysisRecord;
import io.canary.core.GateProgress;
import io.canary.core.Condition;
import io.canary.core.ImmutableAnalysisCounters;
import io.canary.core.ImmutableRolloutStatus;
import io.canary.core.ImmutableStableScaling;
import io.canary.core.ImmutableStepProgress;
import io.canary.core.ImmutableTimers;
import io.canary.core.PauseReason;
import io.canary.core.Phase;
import io.canary.core.Revision;
import io.canary.core.RolloutStatus;
import io.canary.core.Stage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A change of a {@link RolloutStatus} in the making, field by field across its groups, for the
 * machine's transitions: {@code StatusEdit.of(st).withPhase(PAUSED).withPauseUntil(t).done()}.
 */
final class StatusEdit {
  private ImmutableRolloutStatus s;

  private StatusEdit(RolloutStatus s) {
    this.s = RolloutStatus.copyOf(s);
  }

  static StatusEdit of(RolloutStatus status) {
    return new StatusEdit(status);
  }

  RolloutStatus done() {
    return s;
  }

  /** The status as edited so far, to read from. */
  RolloutStatus now() {
    return s;
  }

  StatusEdit withPhase(Phase phase) {
    s = s.withPhase(phase);
    return this;
  }

  StatusEdit withStage(Stage stage) {
    s = s.withStage(stage);
    return this;
  }

  StatusEdit withMessage(String message) {
    s = s.withMessage(message);
    return this;
  }

  StatusEdit withAbortReason(String reason) {
    s = s.withAbortReason(reason);
    return this;
  }

  StatusEdit withAbortReason(Optional<String> reason) {
    s = s.withAbortReason(reason);
    return this;
  }

  StatusEdit withPauseReason(PauseReason reason) {
    s = s.withPauseReason(reason);
    return this;
  }

  StatusEdit withPauseReason(Optional<PauseReason> reason) {
    s = s.withPauseReason(reason);
    return this;
  }

  StatusEdit withStableRevision(Revision revision) {
    s = s.withStableRevision(revision);
    return this;
  }

  StatusEdit withCanaryRevision(Revision revision) {
    s = s.withCanaryRevision(revision);
    return this;
  }

  /** Forgets both revisions (a retry learns them again, and pins the stable side again). */
  StatusEdit withoutRevisions() {
    s = s.withStableRevision(Optional.empty()).withCanaryRevision(Optional.empty());
    return this;
  }

  StatusEdit withConditions(List<Condition> conditions) {
    s = s.withConditions(conditions);
    return this;
  }

  StatusEdit withAttempt(int attempt) {
    s = s.withAttempt(attempt);
    return this;
  }

  StatusEdit withLastTransitionTime(Instant time) {
    s = s.withLastTransitionTime(time);
    return this;
  }

  StatusEdit withGate(Optional<GateProgress> gate) {
    s = s.withGate(gate);
    return this;
  }

  StatusEdit withLastAnalysis(AnalysisRecord record) {
    s = s.withLastAnalysis(record);
    return this;
  }

  // ---- step progress

  StatusEdit withStepIndex(int index) {
    s = s.withStep(step().withIndex(index));
    return this;
  }

  StatusEdit withStepCount(int count) {
    s = s.withStep(step().withCount(count));
    return this;
  }

  StatusEdit withCurrentWeight(int weight) {
    s = s.withStep(step().withCurrentWeight(weight));
    return this;
  }

  StatusEdit withDesiredWeight(int weight) {
    s = s.withStep(step().withDesiredWeight(weight));
    return this;
  }

  StatusEdit withCanaryReplicasRequested(int replicas) {
    s = s.withStep(step().withCanaryReplicasRequested(replicas));
    return this;
  }

  StatusEdit withCanaryReplicasRequested(Optional<Integer> replicas) {
    s = s.withStep(step().withCanaryReplicasRequested(replicas));
    return this;
  }

  // ---- timers

  StatusEdit withStepStartedAt(Instant at) {
    s = s.withTimers(timers().withStepStartedAt(at));
    return this;
  }

  StatusEdit withPauseUntil(Optional<Instant> at) {
    s = s.withTimers(timers().withPauseUntil(at));
    return this;
  }

  StatusEdit withWaitingSince(Instant at) {
    s = s.withTimers(timers().withWaitingSince(at));
    return this;
  }

  StatusEdit withWaitingSince(Optional<Instant> at) {
    s = s.withTimers(timers().withWaitingSince(at));
    return this;
  }

  StatusEdit withDueAt(Instant at) {
    s = s.withTimers(timers().withDueAt(at));
    return this;
  }

  StatusEdit withDueAt(Optional<Instant> at) {
    s = s.withTimers(timers().withDueAt(at));
    return this;
  }

  // ---- analyses

  StatusEdit withAnalysisPasses(int passes) {
    s = s.withStepAnalysis(stepAnalysis().withPasses(passes));
    return this;
  }

  StatusEdit withAnalysisFailures(int failures) {
    s = s.withStepAnalysis(stepAnalysis().withFailures(failures));
    return this;
  }

  StatusEdit withAnalysisInconclusive(int inconclusive) {
    s = s.withStepAnalysis(stepAnalysis().withInconclusive(inconclusive));
    return this;
  }

  StatusEdit withNextAnalysisAt(Instant at) {
    s = s.withStepAnalysis(stepAnalysis().withNextAt(at));
    return this;
  }

  StatusEdit withNextAnalysisAt(Optional<Instant> at) {
    s = s.withStepAnalysis(stepAnalysis().withNextAt(at));
    return this;
  }

  StatusEdit withBackgroundFailures(int failures) {
    s = s.withBackgroundAnalysis(background().withFailures(failures));
    return this;
  }

  StatusEdit withBackgroundInconclusive(int inconclusive) {
    s = s.withBackgroundAnalysis(background().withInconclusive(inconclusive));
    return this;
  }

  StatusEdit withNextBackgroundAnalysisAt(Instant at) {
    s = s.withBackgroundAnalysis(background().withNextAt(at));
    return this;
  }

  StatusEdit withNextBackgroundAnalysisAt(Optional<Instant> at) {
    s = s.withBackgroundAnalysis(background().withNextAt(at));
    return this;
  }

  /** The current step's analysis starts afresh. */
  StatusEdit clearStepAnalysis() {
    s = s.withStepAnalysis(AnalysisCounters.none());
    return this;
  }

  // ---- stable scaling

  StatusEdit withStableScale(int replicas) {
    s = s.withStableScaling(scaling().withReplicas(replicas));
    return this;
  }

  StatusEdit withStableScale(Optional<Integer> replicas) {
    s = s.withStableScaling(scaling().withReplicas(replicas));
    return this;
  }

  StatusEdit withReferenceReplicas(int replicas) {
    s = s.withStableScaling(scaling().withReferenceReplicas(replicas));
    return this;
  }

  StatusEdit withReferenceReplicas(Optional<Integer> replicas) {
    s = s.withStableScaling(scaling().withReferenceReplicas(replicas));
    return this;
  }

  StatusEdit withStableScaleDownAt(Instant at) {
    s = s.withStableScaling(scaling().withScaleDownAt(at));
    return this;
  }

  StatusEdit withStableScaleDownAt(Optional<Instant> at) {
    s = s.withStableScaling(scaling().withScaleDownAt(at));
    return this;
  }

  private ImmutableStepProgress step() {
    return ImmutableStepProgress.copyOf(s.step());
  }

  private ImmutableTimers timers() {
    return ImmutableTimers.copyOf(s.timers());
  }

  private ImmutableAnalysisCounters stepAnalysis() {
    return ImmutableAnalysisCounters.copyOf(s.stepAnalysis());
  }

  private ImmutableAnalysisCounters background() {
    return ImmutableAnalysisCounters.copyOf(s.backgroundAnalysis());
  }

  private ImmutableStableScaling scaling() {
    return ImmutableStableScaling.copyOf(s.stableScaling());
  }
}
