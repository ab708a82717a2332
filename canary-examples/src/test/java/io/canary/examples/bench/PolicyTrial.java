package io.canary.examples.bench;

import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.ImmutableCanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.PauseReason;
import io.canary.core.Phase;
import io.canary.core.RolloutStatus;
import io.canary.core.WorkloadRef;
import io.canary.istio.IstioStrategy;
import io.canary.istio.VirtualServiceRef;
import io.canary.core.event.AnalysisEvaluated;
import io.canary.core.event.PhaseChanged;
import io.canary.core.event.RolloutEvent;
import io.canary.core.event.WeightChanged;
import io.canary.core.memory.InMemoryTrafficRouter;
import io.canary.core.memory.InMemoryWorkloads;
import io.canary.core.spi.MetricSource;
import io.canary.core.spi.TrafficSample;
import io.canary.core.spi.Verdict;
import io.canary.core.time.VirtualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/**
 * One trial of one policy: the real {@link CanaryRunner} (in-memory adapters, canary pods ready at once,
 * virtual clock) reading a statistical model of traffic through a {@link MetricSource}.
 */
final class PolicyTrial {
  private PolicyTrial() {}

  /**
   * How one trial ended, in seconds after the first canary weight, the failed requests the canary served,
   * and of those the ones served after the failed analysis that rolled it back (the abort's latency).
   */
  record Outcome(End end, long seconds, long failedCanaryRequests, long failedAfterVerdict) {}

  enum End { PROMOTED, ROLLED_BACK, PAUSED }

  /**
   * The requests of one trial. Request k of second s is the same user request whichever policy runs (common
   * random numbers): its uniform draw comes from a generator seeded by (trial, second). Request k goes to the
   * canary when k &lt; rate x weight / 100 and fails with the serving revision's error probability.
   */
  static final class Traffic {
    private final long seed;
    private final int rate;
    private final double stableErrors;
    private final double canaryErrors;
    /** Per second served so far: canary requests, canary errors, stable requests, stable errors. */
    private final List<long[]> seconds = new ArrayList<>();

    Traffic(long seed, int rate, double stableErrors, double canaryErrors) {
      this.seed = seed;
      this.rate = rate;
      this.stableErrors = stableErrors;
      this.canaryErrors = canaryErrors;
    }

    /** Serves second {@code s} (from the first canary weight) at {@code weight} percent to the canary. */
    void serve(int s, int weight) {
      while (seconds.size() <= s) {
        SplittableRandom draws = new SplittableRandom(seed * 31 + seconds.size());
        int toCanary = (int) Math.round(rate * weight / 100.0);
        long canaryErr = 0;
        long stableErr = 0;
        for (int k = 0; k < rate; k++) {
          double u = draws.nextDouble();
          if (k < toCanary) {
            canaryErr += u < canaryErrors ? 1 : 0;
          } else {
            stableErr += u < stableErrors ? 1 : 0;
          }
        }
        seconds.add(new long[] {toCanary, canaryErr, rate - toCanary, stableErr});
      }
    }

    /** Requests and errors of the canary or stable over seconds [from, to); latency is not modelled (a fixed 100 ms). */
    TrafficSample sample(boolean canary, int from, int to) {
      long requests = 0;
      long errors = 0;
      for (int s = Math.max(0, from); s < Math.min(to, seconds.size()); s++) {
        long[] c = seconds.get(s);
        requests += canary ? c[0] : c[2];
        errors += canary ? c[1] : c[3];
      }
      return new TrafficSample(requests, errors, requests == 0 ? Double.NaN : 100);
    }

    long canaryErrorsSoFar() {
      return sample(true, 0, seconds.size()).errors();
    }
  }

  /**
   * Runs the rollout that {@code policy} describes (it adds steps and analysis to the spec, reading the
   * given source) until it promotes, rolls back or pauses for a person.
   */
  static Outcome run(Traffic traffic, BiConsumer<ImmutableCanarySpec.Builder, MetricSource> policy) {
    VirtualScheduler clock = VirtualScheduler.create();
    Instant[] firstWeight = new Instant[1];
    int[] weight = {0};
    int[] served = {0};
    Instant[] end = new Instant[1];
    End[] how = new End[1];
    long[] failedAtVerdict = {0};
    // Serves traffic up to now at the weight in force, before the weight changes or anything is measured.
    Runnable catchUp = () -> {
      if (firstWeight[0] != null) {
        int now = (int) Duration.between(firstWeight[0], clock.now()).toSeconds();
        for (; served[0] < now; served[0]++) {
          traffic.serve(served[0], weight[0]);
        }
      }
    };
    MetricSource source = (spec, revision, from, to) -> {
      catchUp.run();
      if (firstWeight[0] == null) {
        return TrafficSample.EMPTY;
      }
      boolean canary = !revision.workload().equals(spec.target().name());
      return traffic.sample(canary, (int) Duration.between(firstWeight[0], from).toSeconds(),
          (int) Duration.between(firstWeight[0], to).toSeconds());
    };
    ImmutableCanarySpec.Builder spec = CanarySpec.builder()
        .name("app").namespace("bench")
        .target(WorkloadRef.deployment("app"))
        .revision(NewRevision.image("app", "example/app:2.0"))
        .traffic(IstioStrategy.subsets("app", "app", VirtualServiceRef.of("app")));
    policy.accept(spec, source);
    try (CanaryRunner runner = CanaryRunner.builder().trafficRouter(new InMemoryTrafficRouter())
        .workloads(InMemoryWorkloads.create(clock, 10, Duration.ZERO))
        .scheduler(clock)
        .addListener((RolloutEvent e) -> {
          if (end[0] != null) {
            return;
          }
          if (e instanceof WeightChanged w) {
            catchUp.run();
            if (firstWeight[0] == null && w.to() > 0) {
              firstWeight[0] = w.time();
            }
            weight[0] = w.to();
            if (w.to() == 0 && firstWeight[0] != null) {
              end[0] = w.time();   // all traffic back on stable: the abort
              how[0] = End.ROLLED_BACK;
            }
          } else if (e instanceof AnalysisEvaluated a && a.result().verdict() == Verdict.FAIL) {
            catchUp.run();
            failedAtVerdict[0] = traffic.canaryErrorsSoFar();   // the last failed analysis before the abort decides
          } else if (e instanceof PhaseChanged p && p.to() == Phase.PROMOTING) {
            catchUp.run();
            end[0] = p.time();
            how[0] = End.PROMOTED;
          }
        })
        .build()) {
      RolloutStatus done = runner.start(spec.build()).await(s -> end[0] != null || s.phase().isTerminal()
          || s.pauseReason().equals(Optional.of(PauseReason.InconclusiveAnalysis)), Duration.ofHours(2));
      if (end[0] == null && done.pauseReason().equals(Optional.of(PauseReason.InconclusiveAnalysis))) {
        catchUp.run();
        end[0] = clock.now();
        how[0] = End.PAUSED;
      }
      if (end[0] == null || firstWeight[0] == null) {
        throw new IllegalStateException("the rollout neither promoted, rolled back nor paused: " + done.phase() + " "
            + done.message().orElse(""));
      }
      long failed = traffic.canaryErrorsSoFar();
      return new Outcome(how[0], Duration.between(firstWeight[0], end[0]).toSeconds(), failed,
          how[0] == End.ROLLED_BACK ? failed - failedAtVerdict[0] : 0);
    }
  }
}
