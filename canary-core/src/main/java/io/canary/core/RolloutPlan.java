package io.canary.core;

import io.canary.core.spi.RenderedObject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The dry run of a release: every change it would make, in order, with the routing objects as the
 * router would write them. Pauses until promoted are assumed promoted at once and analyses are
 * assumed to pass; timed pauses count toward {@link PlannedChange#after()}.
 */
public record RolloutPlan(RolloutKey key, List<PlannedChange> changes) {
  public RolloutPlan {
    changes = List.copyOf(changes);
  }

  /** What kind of change a {@link PlannedChange} is. */
  public enum Kind {
    CREATE_CANARY,
    SCALE_CANARY,
    SCALE_STABLE,
    ROUTING,
    ANALYSIS,
    /** Gates asked (or told) at a point of the rollout's life. */
    GATE,
    PAUSE,
    PROMOTE_STABLE,
    REMOVE_CANARY,
    /** The rollout would wait for something the dry run cannot imagine. */
    STUCK
  }

  /**
   * One change.
   *
   * @param kind what kind of change it is
   * @param after time since the start, counting timed pauses, analysis intervals and delays
   * @param step where in the rollout, for example {@code step 3/8 (setWeight 40)} or {@code promotion}
   * @param change what changes, for people
   * @param canaryWeight the canary weight once the change is made
   * @param canaryReplicas the canary replicas asked for, when the change scales
   * @param objects routing objects as written, for routing changes: only those the change writes
   * @param untouched routing objects of the rollout the change leaves as they are ({@code kind ns/name})
   */
  public record PlannedChange(Kind kind, Duration after, String step, String change, int canaryWeight,
      Optional<Integer> canaryReplicas, List<RenderedObject> objects, List<String> untouched) {
    public PlannedChange {
      objects = List.copyOf(objects);
      untouched = List.copyOf(untouched);
    }

    /** A change that writes no routing object. */
    public PlannedChange(Kind kind, Duration after, String step, String change, int canaryWeight,
        Optional<Integer> canaryReplicas) {
      this(kind, after, step, change, canaryWeight, canaryReplicas, List.of(), List.of());
    }
  }

  /** The canary weights in the order they would be written, for example [20, 40, 60, 80, 0]. */
  public List<Integer> weights() {
    return changes.stream().filter(c -> c.kind() == Kind.ROUTING)
        .map(PlannedChange::canaryWeight).collect(Collectors.toList());
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Plan for rollout ").append(key).append('\n');
    for (PlannedChange c : changes) {
      b.append(String.format("  +%-8s %-32s %s%n", Durations.format(c.after()), c.step(), c.change()));
      if (c.kind() == Kind.ROUTING) {
        String written = c.objects().stream().map(o -> o.kind() + " " + o.name()).collect(Collectors.joining(", "));
        b.append(String.format("  %-42s writes: %s%s%n", "", written.isEmpty() ? "nothing" : written,
            c.untouched().isEmpty() ? "" : "; untouched: " + String.join(", ", c.untouched())));
      }
    }
    return b.toString();
  }
}
