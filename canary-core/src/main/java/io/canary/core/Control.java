package io.canary.core;

/** What a person (or a pipeline) can ask of a running rollout through its handle. */
public enum Control {
  /** Skip the current pause (or analysis step); every other step still runs. */
  PROMOTE,
  /** Skip every remaining step and promote the new revision. */
  PROMOTE_FULLY,
  /** Send all traffic back to stable, then remove the canary after the abort delay. */
  ABORT,
  /** After an abort, start again from the first step. */
  RETRY,
  /** Hold the rollout where it stands (weights, timers of its steps); background analysis goes on. */
  PAUSE,
  /** Go on after {@link #PAUSE}. */
  RESUME;

  /** The method name users call, for messages. */
  public String method() {
    return switch (this) {
      case PROMOTE -> "promote()";
      case PROMOTE_FULLY -> "promoteFully()";
      case ABORT -> "abort()";
      case RETRY -> "retry()";
      case PAUSE -> "pause()";
      case RESUME -> "resume()";
    };
  }
}
