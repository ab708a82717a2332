package io.canary.micrometer;

import io.canary.core.Phase;
import io.canary.core.RolloutKey;
import io.canary.core.event.AnalysisEvaluated;
import io.canary.core.event.PhaseChanged;
import io.canary.core.event.RolloutEvent;
import io.canary.core.event.StepStarted;
import io.canary.core.spi.RolloutListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters of rollouts, kept from the runner's events: add it to a runner
 * ({@code CanaryRunner.builder().addListener(RolloutMetrics.of(registry))}). Without it nothing is
 * measured and nothing of Micrometer is needed: the runner knows only its listeners.
 *
 * <table>
 *   <tr><td>{@code canary.rollouts} (gauge, tag {@code phase})</td><td>rollouts this listener has seen, by their phase now</td></tr>
 *   <tr><td>{@code canary.rollout.transitions} (counter, {@code from}, {@code to})</td><td>phase changes</td></tr>
 *   <tr><td>{@code canary.rollout.phase.duration} (timer, {@code phase})</td><td>time spent in a phase, once it is left</td></tr>
 *   <tr><td>{@code canary.rollout.step.duration} (timer, {@code step}: setWeight, pause...)</td><td>time from a step's start to the next step or the end</td></tr>
 *   <tr><td>{@code canary.analysis.verdicts} (counter, {@code analysis}, {@code verdict})</td><td>analysis results</td></tr>
 *   <tr><td>{@code canary.rollout.weight} (gauge, {@code namespace}, {@code name})</td><td>the canary's current weight</td></tr>
 * </table>
 *
 * Durations are measured between the events' times, so they follow the runner's clock (virtual in tests).
 */
public final class RolloutMetrics implements RolloutListener {
  private final MeterRegistry registry;
  private final Map<Phase, AtomicInteger> byPhase = new ConcurrentHashMap<>();
  private final Map<RolloutKey, Tracked> rollouts = new ConcurrentHashMap<>();

  private RolloutMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Phase phase : Phase.values()) {
      AtomicInteger count = new AtomicInteger();
      byPhase.put(phase, count);
      Gauge.builder("canary.rollouts", count, AtomicInteger::get).tag("phase", phase.displayName())
          .description("rollouts by their phase now").register(registry);
    }
  }

  public static RolloutMetrics of(MeterRegistry registry) {
    return new RolloutMetrics(registry);
  }

  @Override
  public void onEvent(RolloutEvent event) {
    Tracked t = rollouts.computeIfAbsent(event.key(), this::track);
    synchronized (t) {
      t.weight.set(event.status().currentWeight());
      Phase now = event.status().phase();
      if (t.phase != now) {
        if (t.phase != null) {
          byPhase.get(t.phase).decrementAndGet();
          timer("canary.rollout.phase.duration", "phase", t.phase.displayName()).record(since(t.phaseSince, event.time()));
        }
        byPhase.get(now).incrementAndGet();
        t.phase = now;
        t.phaseSince = event.time();
      }
      if (event instanceof PhaseChanged changed) {
        Counter.builder("canary.rollout.transitions").tag("from", changed.from().displayName())
            .tag("to", changed.to().displayName()).register(registry).increment();
      }
      if (event instanceof StepStarted || now.isTerminal()) {
        if (t.step != null) {
          timer("canary.rollout.step.duration", "step", t.step).record(since(t.stepSince, event.time()));
          t.step = null;
        }
      }
      if (event instanceof StepStarted started) {
        t.step = kind(started.step().describe());
        t.stepSince = event.time();
      }
      if (event instanceof AnalysisEvaluated evaluated) {
        Counter.builder("canary.analysis.verdicts").tag("analysis", evaluated.analysis())
            .tag("verdict", evaluated.result().verdict().name().toLowerCase(Locale.ROOT)).register(registry).increment();
      }
    }
  }

  private Tracked track(RolloutKey key) {
    Tracked t = new Tracked();
    Gauge.builder("canary.rollout.weight", t.weight, AtomicInteger::get).tag("namespace", key.namespace())
        .tag("name", key.name()).description("the canary's current weight (percent)").register(registry);
    return t;
  }

  private Timer timer(String name, String tag, String value) {
    return Timer.builder(name).tag(tag, value).register(registry);
  }

  private static Duration since(Instant from, Instant to) {
    Duration d = Duration.between(from, to);
    return d.isNegative() ? Duration.ZERO : d;
  }

  /** {@code setWeight 20} is a setWeight step: tags stay few. */
  private static String kind(String described) {
    int space = described.indexOf(' ');
    return space < 0 ? described : described.substring(0, space);
  }

  private static final class Tracked {
    final AtomicInteger weight = new AtomicInteger();
    Phase phase;
    Instant phaseSince;
    String step;
    Instant stepSince;
  }
}
