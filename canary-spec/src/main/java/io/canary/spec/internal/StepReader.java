package io.canary.spec.internal;

import io.canary.core.AnalysisSpec;
import io.canary.core.RouteMatch;
import io.canary.core.Step;
import io.canary.core.StringMatch;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads {@code steps} (one kind each, as in Argo Rollouts) and analyses. */
final class StepReader {
  private final Problems problems;
  private GateReader gates;

  StepReader(Problems problems) {
    this.problems = problems;
  }

  void gates(GateReader gates) {
    this.gates = gates;
  }

  Optional<Step> step(Node node) {
    return Obj.of(node, "Step", problems).flatMap(o -> o.oneOf("step kind").flatMap(kind -> {
      Node body = o.get(kind).orElseThrow();
      return switch (kind) {
        case "setWeight" -> Obj.integer(body, problems).map(Step::setWeight);
        case "pause" -> Obj.of(body, "Pause", problems)
            .map(p -> p.duration("duration").map(Step::pause).orElseGet(() -> p.has("duration") ? null : Step.pause()));
        case "setCanaryScale" -> Obj.of(body, "SetCanaryScale", problems).map(s -> new Step.SetCanaryScale(
            s.integer("replicas"), s.integer("percent"), s.bool("matchTrafficWeight").orElse(false)));
        case "analysis" -> Obj.of(body, "Analysis", problems).flatMap(this::analysis).map(Step::analysis);
        case "setHeaderRoute" -> Obj.of(body, "HeaderRoute", problems).flatMap(h -> h.requireString("name", "the managed route's name")
            .map(name -> new Step.SetHeaderRoute(name, matches(h), h.integer("canaryWeight").orElse(100))));
        default -> Obj.of(body, "MirrorRoute", problems).flatMap(m -> m.requireString("name", "the managed route's name")
            .map(name -> new Step.SetMirrorRoute(name, matches(m), m.number("percent").orElse(0.0))));
      };
    }));
  }

  Optional<AnalysisSpec> analysis(Obj o) {
    var b = AnalysisSpec.builder();
    Optional<String> name = o.requireString("name", "it names the analysis in events and the status");
    o.duration("interval").ifPresent(b::interval);
    o.duration("initialDelay").ifPresent(b::initialDelay);
    o.integer("successfulRuns").ifPresent(b::successfulRuns);
    o.integer("failureLimit").ifPresent(b::failureLimit);
    o.integer("inconclusiveLimit").ifPresent(b::inconclusiveLimit);
    var gate = o.require("gate", "sequentialJudge, thresholds, flagger or webhook").flatMap(n -> gates.analysisGate(n, problems));
    if (name.isEmpty() || gate.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(b.name(name.get()).gate(gate.get()).build());
  }

  private List<RouteMatch> matches(Obj o) {
    return o.list("matches", n -> Obj.of(n, "Match", problems).map(m -> {
      var b = RouteMatch.builder();
      m.get("headers").ifPresent(h -> {
        if (h instanceof Node.MapNode headers) {
          headers.fields().forEach((name, value) -> stringMatch(value).ifPresent(v -> b.putHeaders(name, v)));
        } else {
          problems.at(h, "must be a mapping of header names to matches ({exact|prefix|regex: value}), was " + Obj.kindOf(h));
        }
      });
      m.get("uri").flatMap(this::stringMatch).ifPresent(b::uri);
      m.get("method").flatMap(this::stringMatch).ifPresent(b::method);
      return b.build();
    }));
  }

  private static final Map<String, StringMatch.Kind> MATCH_KINDS = Map.of("exact", StringMatch.Kind.EXACT,
      "prefix", StringMatch.Kind.PREFIX, "regex", StringMatch.Kind.REGEX);

  private Optional<StringMatch> stringMatch(Node node) {
    return Obj.of(node, "StringMatch", problems).flatMap(o -> o.oneOf("match kind")
        .flatMap(kind -> o.string(kind).map(v -> new StringMatch(MATCH_KINDS.get(kind), v))));
  }
}
