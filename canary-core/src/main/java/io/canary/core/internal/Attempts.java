package io.canary.core.internal;

/**
 * Counts the failed attempts of one call for the retry policy: a failure of another call than the
 * last one means the last one succeeded (the work went past it), so the count starts again at 1.
 */
final class Attempts {
  private String call;
  private int failed;

  /** The failed attempts of {@code call} in a row, this one included. */
  int failed(String call) {
    if (!call.equals(this.call)) {
      this.call = call;
      failed = 0;
    }
    return ++failed;
  }

  void reset() {
    call = null;
    failed = 0;
  }
}
