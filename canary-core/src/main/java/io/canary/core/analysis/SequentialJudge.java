package io.canary.core.analysis;

import io.canary.core.CanarySpec;
import io.canary.core.Revisions;
import io.canary.core.RolloutKey;
import io.canary.core.analysis.internal.ErrorShareTest;
import io.canary.core.analysis.internal.EvidenceStore;
import io.canary.core.analysis.internal.RankTest;
import io.canary.core.spi.AnalysisContext;
import io.canary.core.spi.AnalysisGate;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.Check;
import io.canary.core.spi.LatencyHistogram;
import io.canary.core.spi.Measurement;
import io.canary.core.spi.MetricSource;
import io.canary.core.spi.TrafficSample;
import io.canary.core.spi.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * Judges the canary against stable, not against a fixed number, with tests that stay valid however often
 * they are looked at: the evidence of every window since the rollout attempt began adds up, and the
 * chance that a canary no worse than stable is ever failed stays under {@link #alpha()}.
 *
 * <ul>
 *   <li><b>error-share</b>: a mixture sequential probability ratio test on the share of failed requests
 *       that fall on the canary, given each revision's requests in each window (valid while the weights
 *       change). It fails the canary when its e-value reaches {@code 1 / alpha}, that is when the data
 *       say the canary fails more than {@link #minRelativeIncrease()} times as often as stable, and its
 *       error rate is also at least {@link #minAbsoluteIncrease()} above stable's (so that trivially
 *       small differences never fail a release).
 *   <li><b>latency-rank</b> (with {@link #compareLatency()}): a Mann-Whitney rank test over the
 *       request-duration histograms, stratified by window, alpha spent over the looks.
 *   <li><b>traffic</b>: no data or too little is never a pass. Until both revisions served
 *       {@link #minRequests()} requests since the attempt began, and whenever the canary served none in
 *       the window, the verdict is inconclusive (a failed test still fails: a crashing canary need not
 *       wait for its hundredth request).
 * </ul>
 *
 * Use it with {@code failureLimit 0}: its tests already weigh every window, so one failed verdict is
 * decisive. Look as often as the source has new counts (the tests stay valid however often they are
 * looked at): every second for a source that counts requests as they are served, since a failed canary
 * is rolled back at the first look after the evidence is in; each look queries the source twice (four
 * times with {@link #compareLatency()}). With Prometheus, no more often than twice its scrape interval. The judge's configuration is an immutable value; the evidence it gathers is kept inside it
 * per rollout attempt (bounded), so give each rollout the same judge instance for its whole life. A new
 * process starts the evidence afresh from its first window.
 *
 * <pre>{@code
 * AnalysisGate judge = SequentialJudge.builder().source(metrics).alpha(0.01).build();
 * }</pre>
 */
@Value.Immutable
public abstract class SequentialJudge implements AnalysisGate {
  private static final int REMEMBERED_ATTEMPTS = 4096;

  private final EvidenceStore<Evidence> evidence = new EvidenceStore<>(REMEMBERED_ATTEMPTS);

  public abstract MetricSource source();

  /** The bound on the chance of ever failing a canary that is no worse than stable (each test). Default 0.01. */
  @Value.Default
  public double alpha() {
    return 0.01;
  }

  /** How many times as likely to fail as stable a canary may be and still be called no worse. Default 1.1. */
  @Value.Default
  public double minRelativeIncrease() {
    return 1.1;
  }

  /** How far (0..1) the canary's error rate must be above stable's to fail. Default 0.001 (0.1 points). */
  @Value.Default
  public double minAbsoluteIncrease() {
    return 0.001;
  }

  /** Requests each revision must have served since the attempt began for a pass. Default 100. */
  @Value.Default
  public long minRequests() {
    return 100;
  }

  /** Whether to compare request durations too (the source must give histograms). Default false. */
  @Value.Default
  public boolean compareLatency() {
    return false;
  }

  /** The smallest chance that a canary request is slower than a stable one that can fail it. Default 0.55. */
  @Value.Default
  public double minProbabilitySlower() {
    return 0.55;
  }

  public static ImmutableSequentialJudge.Builder builder() {
    return ImmutableSequentialJudge.builder();
  }

  public static SequentialJudge of(MetricSource source) {
    return builder().source(source).build();
  }

  @Value.Check
  protected void check() {
    if (!(alpha() > 0 && alpha() <= 0.5)) {
      throw new IllegalArgumentException("SequentialJudge.alpha must be within (0, 0.5], was " + alpha());
    }
    if (!(minRelativeIncrease() >= 1 && minRelativeIncrease() < 1000)) {
      throw new IllegalArgumentException("SequentialJudge.minRelativeIncrease must be within [1, 1000), was "
          + minRelativeIncrease() + " (1.1: a canary up to 10% more likely to fail passes)");
    }
    if (!(minAbsoluteIncrease() >= 0 && minAbsoluteIncrease() < 1)) {
      throw new IllegalArgumentException("SequentialJudge.minAbsoluteIncrease must be within [0, 1), was "
          + minAbsoluteIncrease());
    }
    if (minRequests() < 1) {
      throw new IllegalArgumentException("SequentialJudge.minRequests must be at least 1, was " + minRequests());
    }
    if (!(minProbabilitySlower() >= 0.5 && minProbabilitySlower() < 1)) {
      throw new IllegalArgumentException("SequentialJudge.minProbabilitySlower must be within [0.5, 1), was "
          + minProbabilitySlower());
    }
  }

  @Override
  public AnalysisResult evaluate(AnalysisContext ctx) {
    Revisions r = ctx.revisions();
    Evidence ev = evidence.get(new Attempt(ctx.key(), ctx.attempt(), r.canary().hash()), Evidence::new);
    synchronized (ev) {
      // Windows never overlap: a late or repeated evaluation adds only what no earlier one counted.
      Instant from = ev.lastEnd != null && ev.lastEnd.isAfter(ctx.windowStart()) ? ev.lastEnd : ctx.windowStart();
      if (from.isBefore(ctx.windowEnd())) {
        ev.add(window(ctx.spec(), r, from, ctx.windowEnd()), ctx.windowEnd());
      }
      List<Check> checks = new ArrayList<>();
      checks.add(traffic(ev));
      checks.add(errorShare(ev));
      if (compareLatency()) {
        checks.add(latency(ev));
      }
      AnalysisResult verdict = AnalysisResult.of(checks);
      return new AnalysisResult(verdict.verdict(), verdict.message(), List.of(
          new Measurement("error-rate", "canary", ev.canaryRate(), Optional.empty()),
          new Measurement("error-rate", "stable", ev.stableRate(), Optional.empty())), checks);
    }
  }

  /** All queries of one window, made before any evidence changes, so a failing query leaves it as it was. */
  private Window window(CanarySpec spec, Revisions r, Instant from, Instant to) {
    TrafficSample canary = source().query(spec, r.canary(), from, to);
    TrafficSample stable = source().query(spec, r.stable(), from, to);
    LatencyHistogram canaryLatency = compareLatency() ? source().latency(spec, r.canary(), from, to) : LatencyHistogram.EMPTY;
    LatencyHistogram stableLatency = compareLatency() ? source().latency(spec, r.stable(), from, to) : LatencyHistogram.EMPTY;
    return new Window(canary, stable, canaryLatency, stableLatency);
  }

  private Check traffic(Evidence ev) {
    String rule = ">= " + minRequests() + " requests each since the attempt began, > 0 canary requests in the window";
    String query = "requests served since the attempt began";
    if (ev.lastWindowCanaryRequests == 0) {
      return new Check("traffic", query, ev.canaryRequests, ev.stableRequests, rule, Verdict.INCONCLUSIVE,
          "the canary served no request in this window");
    }
    if (ev.canaryRequests < minRequests() || ev.stableRequests < minRequests()) {
      return new Check("traffic", query, ev.canaryRequests, ev.stableRequests, rule, Verdict.INCONCLUSIVE,
          "too few requests to judge");
    }
    return new Check("traffic", query, ev.canaryRequests, ev.stableRequests, rule, Verdict.PASS, "");
  }

  private Check errorShare(Evidence ev) {
    double e = ev.errors.eValue();
    double threshold = 1 / alpha();
    String rule = String.format(Locale.ROOT, "fail at e-value >= %s (alpha %s) and canary rate >= stable's + %s",
        trim(threshold), trim(alpha()), trim(minAbsoluteIncrease()));
    String query = String.format(Locale.ROOT, "error rate; mixture SPRT of the canary's share of failures vs %s x stable's",
        trim(minRelativeIncrease()));
    String reason = String.format(Locale.ROOT, "e-value %.3g; %d of %d failed requests on the canary, %.1f expected at stable's rate",
        e, ev.errors.canaryErrors(), ev.errors.allErrors(), ev.errors.expectedCanaryErrors());
    boolean worse = e >= threshold && ev.canaryRate() >= ev.stableRate() + minAbsoluteIncrease();
    return new Check("error-share", query, ev.canaryRate(), ev.stableRate(), rule, worse ? Verdict.FAIL : Verdict.PASS, reason);
  }

  private Check latency(Evidence ev) {
    String query = "request durations; Mann-Whitney rank test over the histograms, by window";
    if (!ev.ranks.hasData()) {
      return new Check("latency-rank", query, Double.NaN, Double.NaN, "needs latency histograms of both revisions",
          Verdict.INCONCLUSIVE, "no latency data");
    }
    double p = ev.ranks.look();
    double spend = RankTest.alphaAtLook(alpha(), ev.ranks.looks());
    double slower = ev.ranks.probabilityCanarySlower();
    String rule = String.format(Locale.ROOT, "fail at P(canary slower) >= %s and p <= %.3g (alpha %s spent over looks, look %d)",
        trim(minProbabilitySlower()), spend, trim(alpha()), ev.ranks.looks());
    boolean slow = p <= spend && slower >= minProbabilitySlower();
    return new Check("latency-rank", query, slower, 0.5, rule, slow ? Verdict.FAIL : Verdict.PASS,
        String.format(Locale.ROOT, "P(canary slower) %.3f, p %.3g", slower, p));
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  private record Attempt(RolloutKey rollout, int attempt, String canaryHash) {}

  private record Window(TrafficSample canary, TrafficSample stable, LatencyHistogram canaryLatency,
      LatencyHistogram stableLatency) {}

  /** The evidence of one rollout attempt: every window's figures, added up by the tests. */
  private final class Evidence {
    final ErrorShareTest errors = new ErrorShareTest(minRelativeIncrease());
    final RankTest ranks = new RankTest();
    Instant lastEnd;
    long lastWindowCanaryRequests;
    long canaryRequests;
    long canaryErrors;
    long stableRequests;
    long stableErrors;

    void add(Window w, Instant end) {
      // The rank test first: it refuses histograms with different buckets before anything is counted.
      ranks.add(w.canaryLatency(), w.stableLatency());
      errors.add(w.canary().requests(), w.canary().errors(), w.stable().requests(), w.stable().errors());
      canaryRequests += w.canary().requests();
      canaryErrors += w.canary().errors();
      stableRequests += w.stable().requests();
      stableErrors += w.stable().errors();
      lastWindowCanaryRequests = w.canary().requests();
      lastEnd = end;
    }

    double canaryRate() {
      return canaryRequests == 0 ? Double.NaN : (double) canaryErrors / canaryRequests;
    }

    double stableRate() {
      return stableRequests == 0 ? Double.NaN : (double) stableErrors / stableRequests;
    }
  }
}
