package io.canary.examples.bench;

import io.canary.core.AnalysisSpec;
import io.canary.core.ImmutableCanarySpec;
import io.canary.core.Step;
import io.canary.core.analysis.AnalysisGates;
import io.canary.core.analysis.FlaggerPolicy;
import io.canary.core.analysis.SequentialJudge;
import io.canary.core.spi.MetricSource;
import io.canary.examples.bench.PolicyTrial.End;
import io.canary.examples.bench.PolicyTrial.Outcome;
import io.canary.examples.bench.PolicyTrial.Traffic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * False rollbacks, catch rate, blast radius and time to promote of three analysis policies on the same
 * simulated traffic (common random numbers: every policy sees the very same user requests and draws):
 *
 * <ul>
 *   <li><b>judge</b>: {@link SequentialJudge} (alpha 0.01, minimum effect 1.1 x stable's rate and
 *       +0.1 point) as a background analysis every second (judgeIntervalSeconds) with failureLimit 0,
 *       and once more as an analysis step before promotion (a pass needs data: a canary without requests
 *       is not promoted); inconclusive limits of 150 s and 15 s, as looks of the interval; steps
 *       setWeight 10..50, pause 1 min each;
 *   <li><b>Flagger-default</b>: {@link FlaggerPolicy} with Flagger's defaults (interval 1 min, success
 *       rate &gt;= 99 %, p99 &lt;= 500 ms, threshold 5, stepWeight 10, maxWeight 50), run by the runner;
 *   <li><b>comparedToStable</b>: today's {@code AnalysisGates.comparedToStable(maxDrop 0.02, minRequests
 *       200)} every 20 s, failureLimit 1, steps as the judge's.
 * </ul>
 *
 * Blast radius: failed requests the canary served until all traffic was back on stable; of those, the ones
 * served after the failed analysis that decided the roll-back (the abort's latency). A trial ends at
 * promotion, at the roll-back, or when the rollout pauses for a person (inconclusive).
 *
 * <p>Arguments: {@code [healthyTrials=1000] [badTrials=1000] [seed=20261123] [rates=20,100,1000]
 * [judgeIntervalSeconds=1] [judgeAlpha=0.01] [judgeMinRelativeIncrease=1.1]}.
 * Prints figures; asserts nothing.
 */
public final class AnalysisPolicies {
  private static final int[] WEIGHTS = {10, 20, 30, 40, 50};

  /** A canary and its stable: error probabilities of each. */
  record Case(String label, double stable, double canary) {
    boolean healthy() {
      return canary <= stable;
    }
  }

  record Policy(String name, BiConsumer<ImmutableCanarySpec.Builder, MetricSource> setUp) {}

  static final List<Case> CASES = List.of(
      new Case("healthy (0.5 %)", 0.005, 0.005),
      new Case("2x (1 %)", 0.005, 0.01),
      new Case("3x (1.5 %)", 0.005, 0.015),
      new Case("5x (2.5 %)", 0.005, 0.025),
      new Case("20x (10 %)", 0.005, 0.10),
      new Case("crashing (100 %)", 0.005, 1.0),
      new Case("healthy (0.1 %)", 0.001, 0.001),
      new Case("5x under 1 % (0.1 -> 0.5 %)", 0.001, 0.005));

  static final List<Policy> POLICIES = List.of(
      new Policy("judge", AnalysisPolicies::judge),
      new Policy("Flagger-default", (spec, source) -> spec.addAllSteps(FlaggerPolicy.builder().source(source).build().steps())),
      new Policy("comparedToStable", AnalysisPolicies::comparedToStable));

  private static Duration judgeInterval;
  private static double judgeAlpha;
  private static double judgeMinRelativeIncrease;

  public static void main(String[] args) {
    int healthyTrials = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int badTrials = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 20261123L;
    String rates = args.length > 3 ? args[3] : "20,100,1000";
    judgeInterval = Duration.ofSeconds(args.length > 4 ? Long.parseLong(args[4]) : 1);
    judgeAlpha = args.length > 5 ? Double.parseDouble(args[5]) : 0.01;
    judgeMinRelativeIncrease = args.length > 6 ? Double.parseDouble(args[6]) : 1.1;
    MachineFacts.logToFile("analysis-policies");
    MachineFacts.print("AnalysisPolicies: " + healthyTrials + " healthy / " + badTrials + " bad trials per case and rate,"
        + " seed " + seed);
    System.out.println("| req/s | canary | policy | rolled back | promoted | paused | blast radius p50 / p95 |"
        + " of which after the verdict, max | time to roll back p50 | time to promote p50 / p95 |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    long started = System.nanoTime();
    for (String r : rates.split(",")) {
      int rate = Integer.parseInt(r.strip());
      for (Case c : CASES) {
        int trials = c.healthy() ? healthyTrials : badTrials;
        for (Policy p : POLICIES) {
          Outcomes o = new Outcomes();
          for (int t = 0; t < trials; t++) {
            // The same seed for every policy: common random numbers.
            long trialSeed = seed + 1_000_003L * t + Math.round(c.canary() * 1e6) + 7919L * rate;
            o.add(PolicyTrial.run(new Traffic(trialSeed, rate, c.stable(), c.canary()), p.setUp()));
          }
          System.out.println(o.row(rate, c.label(), p.name(), trials));
        }
      }
    }
    System.out.printf(Locale.ROOT, "%nwall time %.0f s%n", (System.nanoTime() - started) / 1e9);
  }

  static void judge(ImmutableCanarySpec.Builder spec, MetricSource source) {
    SequentialJudge judge = SequentialJudge.builder().source(source).alpha(judgeAlpha)
        .minRelativeIncrease(judgeMinRelativeIncrease).build();
    // The inconclusive limits are times (150 s in the background, 15 s before promotion), as looks of the interval.
    spec.analysis(AnalysisSpec.builder().name("judge").gate(judge).interval(judgeInterval)
        .failureLimit(0).inconclusiveLimit(looks(Duration.ofSeconds(150))).build());
    weightsWithPauses(spec);
    spec.addSteps(Step.analysis(AnalysisSpec.builder().name("judge-before-promotion").gate(judge)
        .interval(judgeInterval).failureLimit(0).inconclusiveLimit(looks(Duration.ofSeconds(15))).build()));
  }

  private static int looks(Duration time) {
    return (int) Math.max(1, time.toMillis() / judgeInterval.toMillis());
  }

  static void comparedToStable(ImmutableCanarySpec.Builder spec, MetricSource source) {
    spec.analysis(AnalysisSpec.builder().name("compared-to-stable").gate(AnalysisGates.comparedToStable(source, 0.02, 10, 200))
        .interval(Duration.ofSeconds(20)).failureLimit(1).build());
    weightsWithPauses(spec);
  }

  private static void weightsWithPauses(ImmutableCanarySpec.Builder spec) {
    for (int w : WEIGHTS) {
      spec.addSteps(Step.setWeight(w), Step.pause(Duration.ofMinutes(1)));
    }
  }

  static final class Outcomes {
    private final List<Double> blast = new ArrayList<>();
    private final List<Double> afterVerdict = new ArrayList<>();
    private final List<Double> rollbackSeconds = new ArrayList<>();
    private final List<Double> promoteSeconds = new ArrayList<>();
    private int paused;

    void add(Outcome o) {
      if (o.end() == End.ROLLED_BACK) {
        blast.add((double) o.failedCanaryRequests());
        afterVerdict.add((double) o.failedAfterVerdict());
        rollbackSeconds.add((double) o.seconds());
      } else if (o.end() == End.PROMOTED) {
        promoteSeconds.add((double) o.seconds());
      } else {
        paused++;
      }
    }

    String row(int rate, String kind, String policy, int trials) {
      return String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |", rate, kind, policy,
          share(blast.size(), trials), share(promoteSeconds.size(), trials), share(paused, trials), pair(blast, ""),
          afterVerdict.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f", MachineFacts.percentile(afterVerdict, 100)),
          one(rollbackSeconds), pair(promoteSeconds, " s"));
    }

    private static String share(int n, int trials) {
      return String.format(Locale.ROOT, "%d (%.1f %%)", n, 100.0 * n / trials);
    }

    private static String one(List<Double> v) {
      return v.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f s", MachineFacts.percentile(v, 50));
    }

    private static String pair(List<Double> v, String unit) {
      return v.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f / %.0f%s", MachineFacts.percentile(v, 50),
          MachineFacts.percentile(v, 95), unit);
    }
  }
}
