package io.canary.core.internal;

import io.canary.core.CanarySpec;
import io.canary.core.RolloutStatus;

/**
 * The one numbering of steps in every text people read (status, events, log lines, errors, the status
 * tree, the dry run): steps count from 1, as a plan is read ("step 3/8"). Only the status's
 * {@code stepIndex()} counts from 0, as list indexes do.
 */
public final class StepNumbers {
  private StepNumbers() {}

  /** The number people read for the step at {@code index} (0-based): {@code index + 1}. */
  public static int number(int index) {
    return index + 1;
  }

  /** {@code step 3/8} for the step being worked on; the last step's number once all are done. */
  public static String position(RolloutStatus st) {
    return "step " + Math.min(number(st.stepIndex()), st.stepCount()) + "/" + st.stepCount();
  }

  /** {@code step 3/8 (setWeight 40)}, or {@code promotion} once every step is done. */
  public static String describe(CanarySpec spec, int index) {
    return index < spec.steps().size()
        ? "step " + number(index) + "/" + spec.steps().size() + " (" + spec.steps().get(index).describe() + ")"
        : "promotion";
  }
}
