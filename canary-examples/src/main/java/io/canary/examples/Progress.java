package io.canary.examples;

import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.event.PhaseChanged;
import io.canary.core.event.RolloutEvent;
import io.canary.core.spi.RolloutListener;
import io.canary.core.time.Scheduler;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;

/** Prints each event as one line of progress, and the status tree whenever the rollout pauses. */
final class Progress implements RolloutListener {
  private final PrintStream out;
  private final Scheduler clock;
  private final Instant start;
  private volatile RolloutHandle rollout;

  Progress(PrintStream out, Scheduler clock) {
    this.out = out;
    this.clock = clock;
    this.start = clock.now();
  }

  void follow(RolloutHandle handle) {
    this.rollout = handle;
  }

  @Override
  public void onEvent(RolloutEvent event) {
    Duration t = Duration.between(start, clock.now());
    out.printf("[+%02d:%02d:%02d] %-16s %s%n", t.toHours(), t.toMinutesPart(), t.toSecondsPart(), event.reason(), event.message());
    RolloutHandle handle = rollout;
    if (handle != null && event instanceof PhaseChanged p && p.to() == Phase.PAUSED && p.status().timers().pauseUntil().isPresent()) {
      out.println(handle.describe());
    }
  }
}
