package io.canary.core;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * Everything a runner needs to carry on a rollout, saved after every transition. The header and
 * mirror routes in force and the canary scale are not stored: they follow from the steps before
 * {@link #stepIndex()}.
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

  /** The step being worked on; equal to the number of steps once all are done. */
  @Value.Default
  public int stepIndex() {
    return 0;
  }

  /** The number of steps in the spec. */
  @Value.Default
  public int stepCount() {
    return 0;
  }

  /** The canary weight the routing objects carry now. */
  @Value.Default
  public int currentWeight() {
    return 0;
  }

  /** The canary weight the current step wants. */
  @Value.Default
  public int desiredWeight() {
    return 0;
  }

  public abstract Optional<Revision> stableRevision();

  public abstract Optional<Revision> canaryRevision();

  public abstract Optional<PauseReason> pauseReason();

  /** When a timed pause ends. */
  public abstract Optional<Instant> pauseUntil();

  public abstract Optional<Instant> stepStartedAt();

  /** Since when the current step waits for canary replicas (the progress deadline counts from here). */
  public abstract Optional<Instant> waitingSince();

  /** When the next delayed action (canary removal, stable shrink) is due. */
  public abstract Optional<Instant> dueAt();

  /** The canary replicas last asked of the workloads, so a request is not repeated while it is pending. */
  public abstract Optional<Integer> canaryReplicasRequested();

  /**
   * The stable replica count weights are measured against while dynamic stable scale has shrunk the
   * stable revision (its live count then no longer says how many pods all the traffic needs).
   */
  public abstract Optional<Integer> referenceReplicas();

  /** Stable replicas asked for by dynamic stable scale; empty while the user's count stands. */
  public abstract Optional<Integer> stableScale();

  /** When dynamic stable scale may shrink the stable revision. */
  public abstract Optional<Instant> stableScaleDownAt();

  @Value.Default
  public int analysisPasses() {
    return 0;
  }

  @Value.Default
  public int analysisFailures() {
    return 0;
  }

  @Value.Default
  public int analysisInconclusive() {
    return 0;
  }

  public abstract Optional<Instant> nextAnalysisAt();

  @Value.Default
  public int backgroundFailures() {
    return 0;
  }

  @Value.Default
  public int backgroundInconclusive() {
    return 0;
  }

  public abstract Optional<Instant> nextBackgroundAnalysisAt();

  /** Why the rollout aborted or failed. */
  public abstract Optional<String> abortReason();

  /** The last thing that happened, for people. */
  public abstract Optional<String> message();

  public abstract List<Condition> conditions();

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
        + ", step " + stepIndex() + "/" + stepCount()
        + ", weight " + currentWeight() + (desiredWeight() != currentWeight() ? "->" + desiredWeight() : "")
        + pauseReason().map(r -> ", paused (" + r + ")").orElse("")
        + abortReason().map(r -> ", abort reason: " + r).orElse("")
        + "}";
  }
}
