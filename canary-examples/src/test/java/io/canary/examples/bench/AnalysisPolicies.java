package io.canary.examples.bench;

import io.canary.core.AnalysisSpec;
import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.ImmutableCanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Phase;
import io.canary.core.RolloutStatus;
import io.canary.core.Step;
import io.canary.istio.IstioStrategy;
import io.canary.istio.VirtualServiceRef;
import io.canary.core.WorkloadRef;
import io.canary.core.analysis.AnalysisGates;
import io.canary.core.event.PhaseChanged;
import io.canary.core.event.RolloutEvent;
import io.canary.core.event.WeightChanged;
import io.canary.core.memory.InMemoryTrafficRouter;
import io.canary.core.memory.InMemoryWorkloads;
import io.canary.core.spi.MetricSource;
import io.canary.core.spi.TrafficSample;
import io.canary.core.time.VirtualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Blast radius, time to promote and false-rollback rate of two analysis policies on the same traffic:
 *
 * <ul>
 *   <li><b>ours</b>: the real {@link CanaryRunner} (in-memory adapters, virtual clock) with a background
 *       analysis {@code AnalysisGates.comparedToStable(maxDrop 0.02, minRequests 200)} every 20 s,
 *       failureLimit 1 (aborts at the second failed window);
 *   <li><b>Flagger-like</b>: Flagger's documented loop with its defaults: every 1 min, check the canary's
 *       request success rate over the last minute against 99%; a passing check moves to the next weight
 *       (promotion after the check at the last weight passes), a failing one holds the weight and counts;
 *       at 5 failed checks (threshold) roll back.
 * </ul>
 *
 * Both move through the same weights, 10, 20, 30, 40, 50 % one minute apart (ours: setWeight / pause
 * 1 min; Flagger: stepWeight 10, maxWeight 50, interval 1m), then promote.
 *
 * <p>Traffic is a statistical model, not canary-testing's TrafficSimulator (which is deterministic: it
 * carries fractions from tick to tick and draws nothing at random, so a false rollback could never
 * happen there). Every second {@code rate} user requests arrive; request k of second s is served by the
 * canary when k &lt; rate x weight / 100, and fails with the serving revision's error probability, decided
 * by one uniform draw per request from a generator seeded by (trial seed, second). Both policies
 * therefore see the very same requests and draws: only who serves them differs. Ours is measured
 * on the requests it would itself query through {@link MetricSource}.
 *
 * <p>Arguments: {@code [trials=200] [requestsPerSecond=100] [seed=20261123]}. Prints figures; asserts nothing.
 */
public final class AnalysisPolicies {
  private static final double STABLE_ERRORS = 0.005;
  private static final int[] WEIGHTS = {10, 20, 30, 40, 50};
  private static final Duration STEP = Duration.ofMinutes(1);

  public static void main(String[] args) {
    int trials = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 20261123L;
    MachineFacts.logToFile("analysis-policies");
    MachineFacts.print("AnalysisPolicies: " + trials + " trials per canary, " + rate + " req/s, stable errors 0.5%, seed "
        + seed);
    System.out.println("weights 10/20/30/40/50 % one minute apart, then promotion");
    System.out.println("ours: comparedToStable(maxDrop 0.02, minRequests 200) every 20 s, failureLimit 1 (abort at the"
        + " 2nd failed window)");
    System.out.println("Flagger-like: success rate >= 99% over 1 min, every 1 min, threshold 5 failed checks");
    System.out.println();
    System.out.println("| canary errors | policy | rolled back | failed canary requests (blast radius) p50 / p95 / max |"
        + " time to roll back p50 | time to promote p50 / p95 / max |");
    System.out.println("|---|---|---|---|---|---|");
    // 1.5%: a canary worse than stable by less than ours tolerates (2 points), but under Flagger's 99%.
    for (double canaryErrors : new double[] {0.005, 0.015, 0.05, 0.20}) {
      Outcomes ours = new Outcomes();
      Outcomes flagger = new Outcomes();
      for (int t = 0; t < trials; t++) {
        long trialSeed = seed + 1_000_003L * t + Math.round(canaryErrors * 1e6);
        ours.add(runOurs(new Traffic(trialSeed, rate, canaryErrors)));
        flagger.add(runFlaggerLike(new Traffic(trialSeed, rate, canaryErrors)));
      }
      String kind = String.format(Locale.ROOT, "%.1f%% (%s)", canaryErrors * 100, canaryErrors <= STABLE_ERRORS ? "healthy"
          : "bad");
      System.out.println(ours.row(kind, "ours", trials));
      System.out.println(flagger.row(kind, "Flagger-like", trials));
    }
  }

  /** How one trial ended: rolled back or promoted, when (seconds after the first canary weight), at what cost. */
  record Outcome(boolean rolledBack, long seconds, long failedCanaryRequests) {}

  /**
   * The requests of one trial. Request k of second s is the same user request whichever policy runs:
   * its uniform draw comes from a generator seeded by (trial, second).
   */
  static final class Traffic {
    private final long seed;
    private final int rate;
    private final double canaryErrors;
    /** Per second filled so far: canary requests, canary errors, stable requests, stable errors. */
    private final List<long[]> seconds = new ArrayList<>();

    Traffic(long seed, int rate, double canaryErrors) {
      this.seed = seed;
      this.rate = rate;
      this.canaryErrors = canaryErrors;
    }

    /** Serves second {@code s} (counted from the first canary weight) at {@code weight} percent to the canary. */
    void serve(int s, int weight) {
      while (seconds.size() <= s) {
        int second = seconds.size();
        SplittableRandom draws = new SplittableRandom(seed * 31 + second);
        int toCanary = (int) Math.round(rate * weight / 100.0);
        long canaryErr = 0;
        long stableErr = 0;
        for (int k = 0; k < rate; k++) {
          double u = draws.nextDouble();
          if (k < toCanary) {
            canaryErr += u < canaryErrors ? 1 : 0;
          } else {
            stableErr += u < STABLE_ERRORS ? 1 : 0;
          }
        }
        seconds.add(new long[] {toCanary, canaryErr, rate - toCanary, stableErr});
      }
    }

    /** Requests and errors of the canary ({@code canary}) or stable over seconds [from, to). */
    TrafficSample sample(boolean canary, int from, int to) {
      long requests = 0;
      long errors = 0;
      for (int s = Math.max(0, from); s < Math.min(to, seconds.size()); s++) {
        long[] c = seconds.get(s);
        requests += canary ? c[0] : c[2];
        errors += canary ? c[1] : c[3];
      }
      return new TrafficSample(requests, errors, Double.NaN);
    }

    long canaryErrorsSoFar() {
      return sample(true, 0, seconds.size()).errors();
    }
  }

  /** Our runner, our gate: the weights come from the runner's own events, the figures from the traffic above. */
  static Outcome runOurs(Traffic traffic) {
    VirtualScheduler clock = VirtualScheduler.create();
    Instant[] firstWeight = new Instant[1];
    int[] weight = {0};
    int[] served = {0};     // seconds of traffic served so far, counted from the first canary weight
    Instant[] end = new Instant[1];
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
        .traffic(IstioStrategy.subsets("app", "app", VirtualServiceRef.of("app")))
        .analysis(AnalysisSpec.builder().name("compared-to-stable")
            .gate(AnalysisGates.comparedToStable(source, 0.02, 10, 200))
            .interval(Duration.ofSeconds(20)).failureLimit(1).build());
    for (int w : WEIGHTS) {
      spec.addSteps(Step.setWeight(w), Step.pause(STEP));
    }
    InMemoryTrafficRouter router = new InMemoryTrafficRouter();
    try (CanaryRunner runner = CanaryRunner.builder().trafficRouter(router)
        // Canary pods ready at once: the Flagger-like loop does not wait for pods either.
        .workloads(InMemoryWorkloads.create(clock, 10, Duration.ZERO))
        .scheduler(clock)
        .addListener((RolloutEvent e) -> {
          if (e instanceof WeightChanged w) {
            catchUp.run();
            if (firstWeight[0] == null && w.to() > 0) {
              firstWeight[0] = w.time();
            }
            weight[0] = w.to();
            if (w.to() == 0 && end[0] == null) {
              end[0] = w.time();   // all traffic back on stable: the abort
            }
          } else if (e instanceof PhaseChanged p && p.to() == Phase.PROMOTING && end[0] == null) {
            catchUp.run();
            end[0] = p.time();
          }
        })
        .build()) {
      RolloutStatus done = runner.start(spec.build()).await(Duration.ofHours(2));
      if (end[0] == null) {
        throw new IllegalStateException("the rollout neither promoted nor rolled back: " + done.phase() + " "
            + done.message().orElse(""));
      }
      return new Outcome(done.phase() == Phase.ABORTED, Duration.between(firstWeight[0], end[0]).toSeconds(),
          traffic.canaryErrorsSoFar());
    }
  }

  /**
   * Flagger's canary analysis with its defaults, as its documentation describes it: every interval,
   * query the canary's request success rate over the interval; below the minimum the check fails and
   * the weight holds; at {@code threshold} failed checks roll back; otherwise advance by stepWeight up to
   * maxWeight, then promote.
   */
  static Outcome runFlaggerLike(Traffic traffic) {
    final int interval = 60;
    final int threshold = 5;
    final double minSuccessRate = 0.99;
    int step = 0;
    int failedChecks = 0;
    int t = 0;
    while (true) {
      for (int s = t; s < t + interval; s++) {
        traffic.serve(s, WEIGHTS[step]);
      }
      t += interval;
      TrafficSample canary = traffic.sample(true, t - interval, t);
      boolean pass = canary.requests() > 0 && canary.successRate() >= minSuccessRate;
      if (!pass) {
        failedChecks++;
        if (failedChecks >= threshold) {
          return new Outcome(true, t, traffic.canaryErrorsSoFar());
        }
      } else if (step == WEIGHTS.length - 1) {
        return new Outcome(false, t, traffic.canaryErrorsSoFar());
      } else {
        step++;
      }
    }
  }

  static final class Outcomes {
    private final List<Double> blast = new ArrayList<>();
    private final List<Double> rollbackSeconds = new ArrayList<>();
    private final List<Double> promoteSeconds = new ArrayList<>();

    void add(Outcome o) {
      if (o.rolledBack()) {
        blast.add((double) o.failedCanaryRequests());
        rollbackSeconds.add((double) o.seconds());
      } else {
        promoteSeconds.add((double) o.seconds());
      }
    }

    String row(String kind, String policy, int trials) {
      return String.format(Locale.ROOT, "| %s | %s | %d of %d (%.1f%%) | %s | %s | %s |", kind, policy, blast.size(),
          trials, 100.0 * blast.size() / trials, triple(blast, ""), one(rollbackSeconds), triple(promoteSeconds, " s"));
    }

    private static String one(List<Double> v) {
      return v.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f s", MachineFacts.percentile(v, 50));
    }

    private static String triple(List<Double> v, String unit) {
      return v.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f / %.0f / %.0f%s", MachineFacts.percentile(v, 50),
          MachineFacts.percentile(v, 95), MachineFacts.percentile(v, 100), unit);
    }
  }
}
