package io.canary.testing;

import io.canary.core.Phase;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.api.AbstractObjectAssert;

/** Assertions on the path a rollout took, from a {@link RolloutHistory}. */
public final class RolloutHistoryAssert extends AbstractObjectAssert<RolloutHistoryAssert, RolloutHistory> {
  RolloutHistoryAssert(RolloutHistory actual) {
    super(actual, RolloutHistoryAssert.class);
  }

  /** The canary weights, in order, are exactly these (for example 20, 40, 60, 80, 100). */
  public RolloutHistoryAssert passedThroughWeights(int... expected) {
    isNotNull();
    List<Integer> want = Arrays.stream(expected).boxed().toList();
    if (!actual.weights().equals(want)) {
      failWithMessage("Expected the canary weights %s but the rollout went through %s", want, actual.weights());
    }
    return this;
  }

  /** The rollout went through these phases in this order (others may come between). */
  public RolloutHistoryAssert passedThroughPhases(Phase... expected) {
    isNotNull();
    List<Phase> seen = actual.phases();
    int i = 0;
    for (Phase p : seen) {
      if (i < expected.length && p == expected[i]) {
        i++;
      }
    }
    if (i < expected.length) {
      failWithMessage("Expected the phases %s in this order but the rollout went through %s",
          Arrays.toString(expected), seen);
    }
    return this;
  }

  /** The last status seen, for further assertions. */
  public RolloutStatusAssert lastStatus() {
    isNotNull();
    if (actual.last().isEmpty()) {
      failWithMessage("Expected the rollout to have sent events but it sent none");
    }
    return new RolloutStatusAssert(actual.last().get());
  }
}
