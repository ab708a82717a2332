package io.canary.cli.internal;

/** What the command's exit status tells a pipeline. */
public enum ExitCode {
  /** The rollout succeeded (or the command did what it was asked and waited for nothing). */
  SUCCEEDED(0),
  /** Anything else: a usage error, a control that does not apply now, a cluster that cannot be reached. */
  ERROR(1),
  /** The rollout was aborted or failed. */
  ABORTED(2),
  /** The rollout is paused for a person (promote, abort), or the wait timed out. */
  WAITING(3),
  /** The spec file, or the cluster objects it names, are invalid: nothing was written. */
  INVALID(4);

  private final int code;

  ExitCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }
}
