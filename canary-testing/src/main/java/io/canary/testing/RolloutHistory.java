package io.canary.testing;

import io.canary.core.Phase;
import io.canary.core.RolloutStatus;
import io.canary.core.event.RolloutEvent;
import io.canary.core.event.WeightChanged;
import io.canary.core.spi.RolloutListener;
import java.util.ArrayList;
import java.util.List;

/**
 * Records a rollout's events, so a test can check the path it took (weights passed through, phases)
 * and not only where it ended. Add it to the runner or the handle as a listener.
 */
public final class RolloutHistory implements RolloutListener {
  private final List<RolloutEvent> events = new ArrayList<>();

  @Override
  public synchronized void onEvent(RolloutEvent event) {
    events.add(event);
  }

  public synchronized List<RolloutEvent> events() {
    return List.copyOf(events);
  }

  /** The canary weights the routing objects carried, in order (each WeightChanged's new weight). */
  public synchronized List<Integer> weights() {
    return events.stream().filter(WeightChanged.class::isInstance).map(e -> ((WeightChanged) e).to()).toList();
  }

  /** The phases the rollout went through, in order, without repeats. */
  public synchronized List<Phase> phases() {
    List<Phase> out = new ArrayList<>();
    for (RolloutEvent e : events) {
      Phase p = e.status().phase();
      if (out.isEmpty() || out.get(out.size() - 1) != p) {
        out.add(p);
      }
    }
    return out;
  }

  /** The status after the last event, if any. */
  public synchronized java.util.Optional<RolloutStatus> last() {
    return events.isEmpty() ? java.util.Optional.empty()
        : java.util.Optional.of(events.get(events.size() - 1).status());
  }
}
