package io.canary.core.internal;

import io.canary.core.CanarySpec;
import io.canary.core.RolloutStatus;
import io.canary.core.analysis.LifecyclePoint;
import io.canary.core.event.RolloutEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The decisions of one reconcile turn that are not saved yet, over the saved status {@code base}: each
 * a change from one status to the next with the events its actions told. Saved in one write, they
 * tell every decision's events in order (folding two decisions into one save loses none of the events
 * either would have told alone), each carrying the status saved. Immutable, so that a failed decision
 * can keep the turn's unsaved decisions to be tried again as they were.
 *
 * @param base the status saved when the turn began
 * @param changes the decisions, in order
 */
record Unsaved(RolloutStatus base, List<Change> changes) {
  Unsaved {
    changes = List.copyOf(changes);
  }

  /** One decision: from {@code before} to {@code after} at {@code now}, its actions having told {@code actionEvents}. */
  record Change(RolloutStatus before, RolloutStatus after, List<RolloutEvent> actionEvents, Instant now) {
    Change {
      actionEvents = List.copyOf(actionEvents);
    }
  }

  /** Nothing decided yet over the saved {@code status}. */
  static Unsaved at(RolloutStatus status) {
    return new Unsaved(status, List.of());
  }

  /** The status the decisions lead to: the one to save. */
  RolloutStatus status() {
    return changes.isEmpty() ? base : changes.get(changes.size() - 1).after();
  }

  /** These decisions, then one whose actions ran from {@link #status()} and gave {@code outcome}. */
  Unsaved then(ActionInterpreter.Outcome outcome, Instant now) {
    return then(outcome.next(), outcome.events(), now);
  }

  /** These decisions, then a change to {@code next} whose actions told {@code actionEvents}. */
  Unsaved then(RolloutStatus next, List<RolloutEvent> actionEvents, Instant now) {
    List<Change> more = new ArrayList<>(changes);
    more.add(new Change(status(), next, actionEvents, now));
    return new Unsaved(base, more);
  }

  /** The events the save of {@link #status()} tells: each decision's, in order, each carrying the status saved. */
  List<RolloutEvent> events(CanarySpec spec) {
    RolloutStatus saved = status();
    List<RolloutEvent> told = new ArrayList<>();
    for (Change c : changes) {
      told.addAll(c.actionEvents());
      told.addAll(Events.between(spec, c.before(), c.after(), saved, c.now()));
    }
    return told;
  }

  /** The lifecycle points whose gates the decisions' phase changes tell, once saved. */
  List<LifecyclePoint> gates(CanarySpec spec) {
    List<LifecyclePoint> points = new ArrayList<>();
    for (Change c : changes) {
      RolloutMachine.toldGates(spec, c.before(), c.after()).ifPresent(points::add);
    }
    return points;
  }

  /** True when nothing was decided since the saved status. */
  boolean isEmpty() {
    return changes.isEmpty();
  }
}
