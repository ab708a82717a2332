package io.canary.testing;

import io.canary.core.Phase;
import io.canary.core.RolloutStatus;
import org.assertj.core.api.AbstractObjectAssert;

/** Assertions on a {@link RolloutStatus}: phase, weights, abort reason. */
public final class RolloutStatusAssert extends AbstractObjectAssert<RolloutStatusAssert, RolloutStatus> {
  RolloutStatusAssert(RolloutStatus actual) {
    super(actual, RolloutStatusAssert.class);
  }

  public RolloutStatusAssert hasPhase(Phase expected) {
    isNotNull();
    if (actual.phase() != expected) {
      failWithMessage("Expected rollout %s to be %s but it is %s (%s)", actual.key(), expected.displayName(),
          actual.phase().displayName(), actual);
    }
    return this;
  }

  public RolloutStatusAssert isTerminal() {
    isNotNull();
    if (!actual.phase().isTerminal()) {
      failWithMessage("Expected rollout %s to have ended but it is %s", actual.key(), actual);
    }
    return this;
  }

  /** The canary weight the routing objects carry now. */
  public RolloutStatusAssert hasCurrentWeight(int expected) {
    isNotNull();
    if (actual.currentWeight() != expected) {
      failWithMessage("Expected rollout %s to carry canary weight %s but it carries %s (%s)", actual.key(),
          expected, actual.currentWeight(), actual);
    }
    return this;
  }

  public RolloutStatusAssert isAtStep(int expectedIndex) {
    isNotNull();
    if (actual.stepIndex() != expectedIndex) {
      failWithMessage("Expected rollout %s at step index %s but it is at %s (%s)", actual.key(), expectedIndex,
          actual.stepIndex(), actual);
    }
    return this;
  }

  public RolloutStatusAssert hasAbortReasonContaining(String text) {
    isNotNull();
    if (actual.abortReason().isEmpty() || !actual.abortReason().get().contains(text)) {
      failWithMessage("Expected rollout %s to have an abort reason containing <%s> but it has %s", actual.key(), text,
          actual.abortReason().map(r -> "<" + r + ">").orElse("none"));
    }
    return this;
  }

  public RolloutStatusAssert hasNoAbortReason() {
    isNotNull();
    if (actual.abortReason().isPresent()) {
      failWithMessage("Expected rollout %s to have no abort reason but it has <%s>", actual.key(),
          actual.abortReason().get());
    }
    return this;
  }
}
