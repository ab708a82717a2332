package io.canary.core.internal;

import io.canary.core.RolloutStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a rollout does next: the actions to carry out, in order, and the status to save once they
 * succeeded. A decision without actions whose status equals the input waits: for {@code wakeAt}, for a
 * change of the workloads, or for a person.
 *
 * @param actions side effects, in order
 * @param next the status after them
 * @param wakeAt when to decide again if nothing else happens first
 */
public record Decision(List<Action> actions, RolloutStatus next, Optional<Instant> wakeAt) {
  public Decision {
    actions = List.copyOf(actions);
  }

  static Decision waitFor(RolloutStatus status, Optional<Instant> wakeAt) {
    return new Decision(List.of(), status, wakeAt);
  }

  static Decision transition(RolloutStatus next, Action... actions) {
    return new Decision(List.of(actions), next, Optional.empty());
  }

  /** True when nothing is to be done or saved now. */
  public boolean isWait(RolloutStatus current) {
    return actions.isEmpty() && next.equals(current);
  }
}
