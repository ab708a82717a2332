package io.canary.core.spi;

/** The outcome of one analysis evaluation. */
public enum Verdict {
  PASS,
  FAIL,
  /** Not enough data, or the signals disagree: a person decides. */
  INCONCLUSIVE
}
