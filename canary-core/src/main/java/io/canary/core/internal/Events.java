package io.canary.core.internal;

import io.canary.core.CanarySpec;
import io.canary.core.Phase;
import io.canary.core.RolloutStatus;
import io.canary.core.event.PhaseChanged;
import io.canary.core.event.RolloutAborted;
import io.canary.core.event.RolloutEvent;
import io.canary.core.event.RolloutFailed;
import io.canary.core.event.RolloutPromoted;
import io.canary.core.event.StepStarted;
import io.canary.core.event.WeightChanged;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The events a transition from one saved status to the next tells. A save that folds several
 * decisions (see {@link RolloutDriver}) tells each decision's events, each carrying the status saved.
 */
public final class Events {
  private Events() {}

  public static List<RolloutEvent> between(CanarySpec spec, RolloutStatus before, RolloutStatus after, Instant now) {
    return between(spec, before, after, after, now);
  }

  /** The events of the change from {@code before} to {@code after}, each carrying {@code saved}: the status saved with it. */
  static List<RolloutEvent> between(CanarySpec spec, RolloutStatus before, RolloutStatus after, RolloutStatus saved,
      Instant now) {
    List<RolloutEvent> events = new ArrayList<>();
    if (before.phase() != after.phase()) {
      events.add(new PhaseChanged(saved, now, before.phase(), after.phase(), after.message().orElse("")));
    }
    if (before.currentWeight() != after.currentWeight()) {
      events.add(new WeightChanged(saved, now, before.currentWeight(), after.currentWeight()));
    }
    boolean stepping = after.phase() == Phase.PROGRESSING || after.phase() == Phase.PAUSED;
    boolean newStep = before.stepIndex() != after.stepIndex() || before.phase() == Phase.PENDING;
    if (stepping && newStep && after.stepIndex() < spec.steps().size()) {
      events.add(new StepStarted(saved, now, after.stepIndex(), spec.steps().get(after.stepIndex())));
    }
    if (before.phase() != after.phase()) {
      String why = after.abortReason().orElse("");
      switch (after.phase()) {
        case SUCCEEDED -> events.add(new RolloutPromoted(saved, now));
        case ABORTING -> events.add(new RolloutAborted(saved, now, why, false));
        case ABORTED -> events.add(new RolloutAborted(saved, now, why, true));
        case FAILED -> events.add(new RolloutFailed(saved, now, why));
        default -> { }
      }
    }
    return events;
  }
}
