package io.canary.cli.internal;

import io.canary.core.Phase;
import io.canary.core.RolloutStatus;
import io.canary.core.event.RolloutEvent;
import io.canary.core.spi.RolloutListener;
import java.io.PrintStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What a command prints while it drives a rollout: one line per event; on a terminal also a progress
 * line below them (spinner, phase, step, weight) redrawn while the command waits. Plain output (a
 * pipeline's log, {@code --plain}) has the event lines only, with no control characters.
 */
public final class Output implements RolloutListener, AutoCloseable {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final String[] SPINNER = {"|", "/", "-", "\\"};
  private static final String CLEAR_LINE = "\r\u001b[2K";

  private final PrintStream out;
  private final boolean terminal;
  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  private volatile RolloutStatus last;
  private ScheduledExecutorService ticker;
  private int frame;

  public Output(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** The event lines printed so far, for the report. */
  public List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  @Override
  public synchronized void onEvent(RolloutEvent event) {
    String line = TIME.format(event.time()) + " " + (event.warning() ? "WARN " : "") + event.reason() + ": " + event.message();
    lines.add(line);
    last = event.status();
    if (terminal) {
      out.print(CLEAR_LINE);
    }
    out.println(line);
    if (terminal && ticker != null) {
      progress();
    }
  }

  /** Prints a line of the command's own (not an event). */
  public synchronized void say(String line) {
    if (terminal) {
      out.print(CLEAR_LINE);
    }
    out.println(line);
  }

  /** On a terminal, keeps a progress line under the events while the command waits. */
  public synchronized void waiting(RolloutStatus status) {
    last = status;
    if (!terminal || ticker != null) {
      return;
    }
    ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "canary-progress");
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleAtFixedRate(this::progress, 0, 250, TimeUnit.MILLISECONDS);
  }

  private synchronized void progress() {
    RolloutStatus s = last;
    if (s == null) {
      return;
    }
    frame = (frame + 1) % SPINNER.length;
    out.print(CLEAR_LINE + SPINNER[frame] + " " + progressLine(s));
    out.flush();
  }

  /** {@code Paused, step 2/8, weight 20% (CanaryPauseStep)}. */
  public static String progressLine(RolloutStatus s) {
    return s.phase().displayName() + ", step " + Math.min(s.stepIndex() + 1, Math.max(s.stepCount(), 1)) + "/" + s.stepCount()
        + ", weight " + s.currentWeight() + "%" + s.pauseReason().filter(r -> s.phase() == Phase.PAUSED)
            .map(r -> " (" + r.name() + ")").orElse("");
  }

  @Override
  public synchronized void close() {
    if (ticker != null) {
      ticker.shutdownNow();
      ticker = null;
      out.print(CLEAR_LINE);
      out.flush();
    }
  }
}
