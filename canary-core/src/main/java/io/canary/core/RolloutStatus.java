package io.canary.core;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * Everything a runner needs to carry on a rollout, saved after every transition, in groups: where it
 * is in its steps ({@link #step()}), the times it waits for ({@link #timers()}), each analysis'
 * results ({@link #stepAnalysis()}, {@link #backgroundAnalysis()}) and dynamic stable scale
 * ({@link #stableScaling()}). The header and mirror routes in force and the canary scale are not
 * stored: they follow from the steps done. The stored form is core's ({@code StatusDocument}).
 */
@Value.Immutable
public abstract class RolloutStatus {
  public abstract String namespace();

  public abstract String name();

  public abstract Phase phase();

  @Value.Default
  public Stage stage() {
    return Stage.NONE;
  }

  @Value.Default
  public StepProgress step() {
    return StepProgress.of(0);
  }

  @Value.Default
  public Timers timers() {
    return Timers.none();
  }

  /** The analysis of the current analysis step. */
  @Value.Default
  public AnalysisCounters stepAnalysis() {
    return AnalysisCounters.none();
  }

  /** The spec's background analysis, which runs the whole rollout. */
  @Value.Default
  public AnalysisCounters backgroundAnalysis() {
    return AnalysisCounters.none();
  }

  @Value.Default
  public StableScaling stableScaling() {
    return StableScaling.none();
  }

  /** The gates of the point the rollout is at, once asked. */
  public abstract Optional<GateProgress> gate();

  /** The last analysis or gate result, with the checks that decided it. */
  public abstract Optional<AnalysisRecord> lastAnalysis();

  public abstract Optional<Revision> stableRevision();

  public abstract Optional<Revision> canaryRevision();

  public abstract Optional<PauseReason> pauseReason();

  /** Why the rollout aborted or failed. */
  public abstract Optional<String> abortReason();

  /** The last thing that happened, for people. */
  public abstract Optional<String> message();

  public abstract List<Condition> conditions();

  /**
   * The runner driving the rollout, at the epoch of its lease; empty before the first save, and in
   * statuses saved by a runner of an earlier release.
   */
  public abstract Optional<RolloutOwner> owner();

  /** How many times retry() started the rollout again. */
  @Value.Default
  public int attempt() {
    return 0;
  }

  /** Identifies the spec (revision, strategy, steps) the status belongs to. */
  @Value.Default
  public String specFingerprint() {
    return "";
  }

  public abstract Instant lastTransitionTime();

  /** The step being worked on, counted from 0 (people read it as {@code stepIndex() + 1}). */
  public int stepIndex() {
    return step().index();
  }

  public int stepCount() {
    return step().count();
  }

  /** The canary weight the routing objects carry now. */
  public int currentWeight() {
    return step().currentWeight();
  }

  /** The canary weight the current step wants. */
  public int desiredWeight() {
    return step().desiredWeight();
  }

  public RolloutKey key() {
    return RolloutKey.of(namespace(), name());
  }

  /** The stable and canary revisions, once the canary exists. */
  public Optional<Revisions> revisions() {
    return stableRevision().isPresent() && canaryRevision().isPresent()
        ? Optional.of(new Revisions(stableRevision().get(), canaryRevision().get()))
        : Optional.empty();
  }

  public Optional<Condition> condition(String type) {
    return conditions().stream().filter(c -> c.type().equals(type)).findFirst();
  }

  public static ImmutableRolloutStatus.Builder builder() {
    return ImmutableRolloutStatus.builder();
  }

  public static ImmutableRolloutStatus copyOf(RolloutStatus status) {
    return ImmutableRolloutStatus.copyOf(status);
  }

  @Override
  public String toString() {
    return "RolloutStatus{" + key() + " " + phase().displayName()
        + (stage() == Stage.NONE ? "" : "/" + stage())
        + ", step " + Math.min(stepIndex() + 1, stepCount()) + "/" + stepCount()
        + ", weight " + currentWeight() + (desiredWeight() != currentWeight() ? "->" + desiredWeight() : "")
        + pauseReason().map(r -> ", paused (" + r + ")").orElse("")
        + abortReason().map(r -> ", abort reason: " + r).orElse("")
        + "}";
  }
}
