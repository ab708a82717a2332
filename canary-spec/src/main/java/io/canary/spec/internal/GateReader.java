package io.canary.spec.internal;

import io.canary.core.analysis.FlaggerPolicy;
import io.canary.core.analysis.SequentialJudge;
import io.canary.core.analysis.ThresholdGate;
import io.canary.core.analysis.ThresholdRule;
import io.canary.core.analysis.WebhookGate;
import io.canary.core.spi.AnalysisGate;
import io.canary.core.spi.MetricSource;
import io.canary.core.spi.Verdict;
import io.canary.istio.telemetry.PrometheusMetricSource;
import io.canary.spec.DeclaredGate;
import io.canary.spec.SpecOptions;
import java.net.URI;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Makes gates of their declarations: the sequential judge and Flagger's checks over Istio's metrics in
 * Prometheus, threshold rules over the user's PromQL, and HTTP webhooks.
 */
final class GateReader {
  static final Map<String, Verdict> ON_UNAVAILABLE = Map.of("inconclusive", Verdict.INCONCLUSIVE, "fail", Verdict.FAIL);

  /** Stands in for a Prometheus the file did not name, so that the gate's own values are still checked. */
  private static final MetricSource UNNAMED = (spec, revision, from, to) -> {
    throw new IllegalStateException("no Prometheus was named");
  };

  private final SpecOptions options;
  private final Optional<URI> filePrometheus;
  private final Map<URI, PrometheusMetricSource> sources = new HashMap<>();

  GateReader(SpecOptions options, Optional<URI> filePrometheus) {
    this.options = options;
    this.filePrometheus = filePrometheus;
  }

  /** An analysis's {@code gate}: exactly one kind. */
  Optional<AnalysisGate> analysisGate(Node node, Problems problems) {
    return Obj.of(node, "AnalysisGate", problems).flatMap(o -> o.oneOf("gate kind").flatMap(kind -> switch (kind) {
      case "sequentialJudge" -> o.obj(kind, "SequentialJudge").flatMap(this::sequentialJudge);
      case "thresholds" -> o.obj(kind, "Thresholds").flatMap(this::thresholds);
      case "flagger" -> o.obj(kind, "Flagger").flatMap(this::flagger);
      default -> o.obj(kind, "Webhook").flatMap(GateReader::webhook);
    }));
  }

  static Optional<WebhookGate> webhook(Obj o) {
    Optional<String> name = o.requireString("name", "it names the check in events and the status");
    Optional<URI> url = o.require("url", "the hook's http(s) URL").flatMap(n -> o.uri("url"));
    var b = WebhookGate.builder();
    o.duration("timeout").ifPresent(b::timeout);
    o.integer("maxAttempts").ifPresent(b::maxAttempts);
    o.choice("onUnavailable", ON_UNAVAILABLE).ifPresent(b::onUnavailable);
    b.putAllMetadata(o.stringMap("metadata"));
    if (name.isEmpty() || url.isEmpty()) {
      return Optional.empty();
    }
    return built(o, () -> b.name(name.get()).url(url.get()).build());
  }

  private Optional<AnalysisGate> sequentialJudge(Obj o) {
    Map<String, Object> d = new LinkedHashMap<>();
    var b = SequentialJudge.builder();
    take(d, "alpha", o.number("alpha"), b::alpha);
    take(d, "minRelativeIncrease", o.number("minRelativeIncrease"), b::minRelativeIncrease);
    take(d, "minAbsoluteIncrease", o.number("minAbsoluteIncrease"), b::minAbsoluteIncrease);
    take(d, "minRequests", o.longValue("minRequests"), b::minRequests);
    take(d, "compareLatency", o.bool("compareLatency"), b::compareLatency);
    take(d, "minProbabilitySlower", o.number("minProbabilitySlower"), b::minProbabilitySlower);
    Optional<MetricSource> source = metrics(o, d, false);
    Optional<AnalysisGate> gate = built(o, () -> DeclaredGate.of("sequentialJudge", d, b.source(source.orElse(UNNAMED)).build()));
    return source.isPresent() ? gate : Optional.empty();
  }

  private Optional<AnalysisGate> flagger(Obj o) {
    Map<String, Object> d = new LinkedHashMap<>();
    var b = FlaggerPolicy.builder();
    take(d, "minSuccessRate", o.number("minSuccessRate"), b::minSuccessRate);
    take(d, "maxLatencyP99Millis", o.number("maxLatencyP99Millis"), b::maxLatencyP99Millis);
    Optional<MetricSource> source = metrics(o, d, false);
    Optional<AnalysisGate> gate = built(o, () -> DeclaredGate.of("flagger", d, b.source(source.orElse(UNNAMED)).build().gate()));
    return source.isPresent() ? gate : Optional.empty();
  }

  private Optional<AnalysisGate> thresholds(Obj o) {
    Map<String, Object> d = new LinkedHashMap<>();
    Optional<MetricSource> source = metrics(o, d, true);
    var b = ThresholdGate.builder();
    o.integer("consecutiveErrorLimit").ifPresent(v -> {
      b.consecutiveErrorLimit(v);
      d.put("consecutiveErrorLimit", (long) v);
    });
    o.require("rules", "at least one rule: name, query and atLeast or atMost");
    List<Map<String, Object>> declared = new java.util.ArrayList<>();
    List<ThresholdRule> rules = o.list("rules", n -> Obj.of(n, "ThresholdRule", o.problems())
        .flatMap(r -> rule(r, source.map(PrometheusMetricSource.class::cast), declared)));
    d.put("rules", List.copyOf(declared));
    if (source.isEmpty() || rules.size() != declared.size() || rules.isEmpty()) {
      if (rules.isEmpty() && o.has("rules")) {
        o.problems().at(o.get("rules").get(), "give at least one rule: a gate without checks could never pass");
      }
      return Optional.empty();
    }
    return built(o, () -> DeclaredGate.of("thresholds", d, b.addAllRules(rules).build()));
  }

  private static Optional<ThresholdRule> rule(Obj r, Optional<PrometheusMetricSource> source, List<Map<String, Object>> declared) {
    Map<String, Object> d = new LinkedHashMap<>();
    Optional<String> name = r.requireString("name", "it names the check");
    Optional<String> query = r.requireString("query", "PromQL with {{ canary_workload }}, {{ window }}...");
    Optional<String> stableQuery = r.string("stableQuery");
    Optional<Double> atLeast = r.number("atLeast");
    Optional<Double> atMost = r.number("atMost");
    if (atLeast.isPresent() == atMost.isPresent()) {
      r.problems().at(r.node(), "give exactly one of atLeast or atMost (the threshold the query's value is held to)");
    }
    name.ifPresent(v -> d.put("name", v));
    query.ifPresent(v -> d.put("query", v));
    stableQuery.ifPresent(v -> d.put("stableQuery", v));
    atLeast.ifPresent(v -> d.put("atLeast", v));
    atMost.ifPresent(v -> d.put("atMost", v));
    declared.add(d);
    if (name.isEmpty() || query.isEmpty() || atLeast.isPresent() == atMost.isPresent() || source.isEmpty()) {
      return Optional.empty();
    }
    return built(r, () -> {
      var b = ThresholdRule.builder().name(name.get()).query(source.get().query(query.get()))
          .comparison(atLeast.isPresent() ? ThresholdRule.Comparison.AT_LEAST : ThresholdRule.Comparison.AT_MOST)
          .threshold(atLeast.orElseGet(atMost::get));
      stableQuery.ifPresent(q -> b.stableQuery(source.get().query(q)));
      return b.build();
    });
  }

  /**
   * The source a metric gate reads: the command line's Prometheus, the gate's own, the file's; or the
   * host's metric source. Adds {@code prometheusUrl} to the declaration when a Prometheus is named.
   */
  private Optional<MetricSource> metrics(Obj o, Map<String, Object> declaration, boolean promQl) {
    Optional<URI> own = o.uri("prometheusUrl");
    Optional<URI> url = options.prometheusUrl().or(() -> own).or(() -> filePrometheus);
    url.ifPresent(u -> declaration.put("prometheusUrl", u.toString()));
    if (!promQl && options.metricSource().isPresent()) {
      return options.metricSource();
    }
    if (url.isEmpty()) {
      if (!o.has("prometheusUrl")) {
        o.problems().at(o.node(), "needs a Prometheus to read Istio's metrics from: set prometheus.url in the file, "
            + "prometheusUrl here, or --prometheus URL on the command line");
      }
      return Optional.empty();
    }
    return Optional.of(sources.computeIfAbsent(url.get(), u -> PrometheusMetricSource.builder().baseUrl(u).build()));
  }

  private static <T> void take(Map<String, Object> declaration, String key, Optional<T> value,
      java.util.function.Consumer<T> into) {
    value.ifPresent(v -> {
      into.accept(v);
      declaration.put(key, v);
    });
  }

  /** Builds a value whose own checks throw, reporting their message at the mapping's line. */
  static <T> Optional<T> built(Obj o, java.util.function.Supplier<T> build) {
    try {
      return Optional.of(build.get());
    } catch (IllegalArgumentException | IllegalStateException e) {
      o.problems().at(o.node(), e.getMessage());
      return Optional.empty();
    }
  }
}
