package io.canary.core;

import io.canary.core.analysis.LifecyclePoint;
import io.canary.core.internal.Json;
import io.canary.core.spi.Check;
import io.canary.core.spi.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one stored form of a {@link RolloutStatus}: a JSON document, field by field, readable by people
 * ({@code kubectl get configmap -o yaml}), with a schema version. A state store keeps the document as
 * text and needs to know nothing of its fields. Reading takes this version and release 0.1's flat form
 * (its {@code format: 1}); unknown fields are ignored and absent ones take their defaults, so a newer
 * or older runner of the same schema can read it.
 */
public final class StatusDocument {
  /** The schema version written; raised when the form changes in a way an older reader cannot follow. */
  public static final int SCHEMA_VERSION = 2;

  private StatusDocument() {}

  public static String write(RolloutStatus s) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("schemaVersion", SCHEMA_VERSION);
    o.put("namespace", s.namespace());
    o.put("name", s.name());
    o.put("phase", s.phase().name());
    o.put("stage", s.stage().name());
    Map<String, Object> step = new LinkedHashMap<>();
    step.put("index", s.step().index());
    step.put("count", s.step().count());
    step.put("currentWeight", s.step().currentWeight());
    step.put("desiredWeight", s.step().desiredWeight());
    s.step().canaryReplicasRequested().ifPresent(n -> step.put("canaryReplicasRequested", n));
    o.put("step", step);
    Map<String, Object> timers = new LinkedHashMap<>();
    put(timers, "stepStartedAt", s.timers().stepStartedAt());
    put(timers, "pauseUntil", s.timers().pauseUntil());
    put(timers, "waitingSince", s.timers().waitingSince());
    put(timers, "dueAt", s.timers().dueAt());
    o.put("timers", timers);
    o.put("stepAnalysis", analysis(s.stepAnalysis()));
    o.put("backgroundAnalysis", analysis(s.backgroundAnalysis()));
    Map<String, Object> scaling = new LinkedHashMap<>();
    s.stableScaling().replicas().ifPresent(n -> scaling.put("replicas", n));
    s.stableScaling().referenceReplicas().ifPresent(n -> scaling.put("referenceReplicas", n));
    put(scaling, "scaleDownAt", s.stableScaling().scaleDownAt());
    o.put("stableScaling", scaling);
    s.gate().ifPresent(g -> {
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("point", g.point().name());
      n.put("stepIndex", g.stepIndex());
      n.put("passed", g.passed());
      put(n, "nextAskAt", g.nextAskAt());
      n.put("message", g.message());
      o.put("gate", n);
    });
    s.lastAnalysis().ifPresent(a -> o.put("lastAnalysis", analysisRecord(a)));
    s.stableRevision().ifPresent(r -> o.put("stableRevision", revision(r)));
    s.canaryRevision().ifPresent(r -> o.put("canaryRevision", revision(r)));
    s.pauseReason().ifPresent(r -> o.put("pauseReason", r.name()));
    s.abortReason().ifPresent(r -> o.put("abortReason", r));
    s.message().ifPresent(m -> o.put("message", m));
    List<Object> conditions = new ArrayList<>();
    for (Condition c : s.conditions()) {
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("type", c.type());
      n.put("status", c.status());
      n.put("reason", c.reason());
      n.put("message", c.message());
      n.put("lastTransitionTime", c.lastTransitionTime().toString());
      conditions.add(n);
    }
    o.put("conditions", conditions);
    s.owner().ifPresent(owner -> {
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("runner", owner.runner());
      n.put("epoch", owner.epoch());
      o.put("owner", n);
    });
    o.put("attempt", s.attempt());
    o.put("specFingerprint", s.specFingerprint());
    o.put("lastTransitionTime", s.lastTransitionTime().toString());
    return Json.write(o);
  }

  /**
   * Reads what {@link #write} (or release 0.1) wrote.
   *
   * @param where names the stored object in errors, for example {@code ConfigMap shop/canary-status-web}
   * @throws CanaryException when the document is no rollout status or of a schema this runner does not know
   */
  public static RolloutStatus read(String document, String where) {
    Object parsed;
    try {
      parsed = Json.parse(document);
    } catch (IllegalArgumentException e) {
      throw new CanaryException(where + " does not hold a rollout status in JSON: " + e.getMessage(), e);
    }
    if (!(parsed instanceof Map<?, ?> raw)) {
      throw new CanaryException(where + " does not hold a rollout status in JSON");
    }
    Doc o = new Doc(raw, where);
    int schema = o.integer("schemaVersion").orElse(o.integer("format").isPresent() ? 1 : 0);
    if (schema != 1 && schema != SCHEMA_VERSION) {
      throw new CanaryException(where + " holds a rollout status of schema version " + schema + "; this runner reads "
          + "versions 1 to " + SCHEMA_VERSION + ": upgrade the runner");
    }
    try {
      var b = RolloutStatus.builder()
          .namespace(o.required("namespace"))
          .name(o.required("name"))
          .phase(Phase.valueOf(o.required("phase")))
          .lastTransitionTime(Instant.parse(o.required("lastTransitionTime")));
      o.text("stage").map(Stage::valueOf).ifPresent(b::stage);
      o.object("stableRevision").map(StatusDocument::revision).ifPresent(b::stableRevision);
      o.object("canaryRevision").map(StatusDocument::revision).ifPresent(b::canaryRevision);
      o.text("pauseReason").map(PauseReason::valueOf).ifPresent(b::pauseReason);
      o.text("abortReason").ifPresent(b::abortReason);
      o.text("message").ifPresent(b::message);
      for (Object c : o.list("conditions")) {
        Doc n = new Doc((Map<?, ?>) c, where);
        b.addConditions(new Condition(n.required("type"), n.bool("status"), n.text("reason").orElse(""),
            n.text("message").orElse(""), Instant.parse(n.required("lastTransitionTime"))));
      }
      o.object("owner").ifPresent(n -> b.owner(new RolloutOwner(n.required("runner"),
          n.get("epoch").map(v -> v instanceof Number x ? x.longValue() : Long.parseLong(String.valueOf(v))).orElse(0L))));
      o.integer("attempt").ifPresent(b::attempt);
      o.text("specFingerprint").ifPresent(b::specFingerprint);
      if (schema == 1) {
        readFlat(o, b);
      } else {
        readGroups(o, b);
      }
      return b.build();
    } catch (CanaryException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CanaryException(where + " holds a rollout status this runner cannot read: " + e.getMessage(), e);
    }
  }

  private static void readGroups(Doc o, ImmutableRolloutStatus.Builder b) {
    o.object("gate").ifPresent(g -> b.gate(GateProgress.builder()
        .point(LifecyclePoint.valueOf(g.required("point")))
        .stepIndex(g.integer("stepIndex").orElse(0)).passed(g.bool("passed")).nextAskAt(g.instant("nextAskAt"))
        .message(g.text("message").orElse("")).build()));
    o.object("lastAnalysis").map(StatusDocument::analysisRecord).ifPresent(b::lastAnalysis);
    Doc step = o.group("step");
    ImmutableStepProgress.Builder progress = StepProgress.builder();
    step.integer("index").ifPresent(progress::index);
    step.integer("count").ifPresent(progress::count);
    step.integer("currentWeight").ifPresent(progress::currentWeight);
    step.integer("desiredWeight").ifPresent(progress::desiredWeight);
    progress.canaryReplicasRequested(step.integer("canaryReplicasRequested"));
    b.step(progress.build());
    Doc timers = o.group("timers");
    b.timers(Timers.builder().stepStartedAt(timers.instant("stepStartedAt")).pauseUntil(timers.instant("pauseUntil"))
        .waitingSince(timers.instant("waitingSince")).dueAt(timers.instant("dueAt")).build());
    b.stepAnalysis(analysis(o.group("stepAnalysis")));
    b.backgroundAnalysis(analysis(o.group("backgroundAnalysis")));
    Doc scaling = o.group("stableScaling");
    b.stableScaling(StableScaling.builder().replicas(scaling.integer("replicas"))
        .referenceReplicas(scaling.integer("referenceReplicas")).scaleDownAt(scaling.instant("scaleDownAt")).build());
  }

  /** Release 0.1's form: every field at the top. */
  private static void readFlat(Doc o, ImmutableRolloutStatus.Builder b) {
    ImmutableStepProgress.Builder progress = StepProgress.builder();
    o.integer("stepIndex").ifPresent(progress::index);
    o.integer("stepCount").ifPresent(progress::count);
    o.integer("currentWeight").ifPresent(progress::currentWeight);
    o.integer("desiredWeight").ifPresent(progress::desiredWeight);
    progress.canaryReplicasRequested(o.integer("canaryReplicasRequested"));
    b.step(progress.build());
    b.timers(Timers.builder().stepStartedAt(o.instant("stepStartedAt")).pauseUntil(o.instant("pauseUntil"))
        .waitingSince(o.instant("waitingSince")).dueAt(o.instant("dueAt")).build());
    ImmutableAnalysisCounters.Builder step = AnalysisCounters.builder().nextAt(o.instant("nextAnalysisAt"));
    o.integer("analysisPasses").ifPresent(step::passes);
    o.integer("analysisFailures").ifPresent(step::failures);
    o.integer("analysisInconclusive").ifPresent(step::inconclusive);
    b.stepAnalysis(step.build());
    ImmutableAnalysisCounters.Builder background = AnalysisCounters.builder().nextAt(o.instant("nextBackgroundAnalysisAt"));
    o.integer("backgroundFailures").ifPresent(background::failures);
    o.integer("backgroundInconclusive").ifPresent(background::inconclusive);
    b.backgroundAnalysis(background.build());
    b.stableScaling(StableScaling.builder().replicas(o.integer("stableScale"))
        .referenceReplicas(o.integer("referenceReplicas")).scaleDownAt(o.instant("stableScaleDownAt")).build());
  }

  private static Map<String, Object> analysis(AnalysisCounters a) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("passes", a.passes());
    n.put("failures", a.failures());
    n.put("inconclusive", a.inconclusive());
    put(n, "nextAt", a.nextAt());
    return n;
  }

  private static AnalysisCounters analysis(Doc n) {
    ImmutableAnalysisCounters.Builder a = AnalysisCounters.builder().nextAt(n.instant("nextAt"));
    n.integer("passes").ifPresent(a::passes);
    n.integer("failures").ifPresent(a::failures);
    n.integer("inconclusive").ifPresent(a::inconclusive);
    return a.build();
  }

  private static Map<String, Object> analysisRecord(AnalysisRecord a) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("name", a.name());
    n.put("where", a.where());
    n.put("verdict", a.verdict().name());
    n.put("message", a.message());
    n.put("time", a.time().toString());
    List<Object> checks = new ArrayList<>();
    for (Check c : a.checks()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", c.name());
      m.put("query", c.query());
      m.put("canaryValue", c.canaryValue());
      m.put("stableValue", c.stableValue());
      m.put("rule", c.rule());
      m.put("decision", c.decision().name());
      m.put("reason", c.reason());
      checks.add(m);
    }
    n.put("checks", checks);
    return n;
  }

  private static AnalysisRecord analysisRecord(Doc n) {
    ImmutableAnalysisRecord.Builder a = AnalysisRecord.builder().name(n.text("name").orElse(""))
        .where(n.text("where").orElse("")).verdict(Verdict.valueOf(n.required("verdict")))
        .message(n.text("message").orElse("")).time(Instant.parse(n.required("time")));
    for (Object c : n.list("checks")) {
      Doc m = new Doc((Map<?, ?>) c, n.where());
      a.addChecks(new Check(m.text("name").orElse(""), m.text("query").orElse(""), m.number("canaryValue"),
          m.number("stableValue"), m.text("rule").orElse(""), Verdict.valueOf(m.required("decision")),
          m.text("reason").orElse("")));
    }
    return a.build();
  }

  private static Map<String, Object> revision(Revision r) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("workload", r.workload());
    n.put("hash", r.hash());
    Map<String, Object> labels = new LinkedHashMap<>();
    r.podLabels().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> labels.put(e.getKey(), e.getValue()));
    n.put("podLabels", labels);
    return n;
  }

  private static Revision revision(Doc n) {
    Map<String, String> labels = new LinkedHashMap<>();
    n.group("podLabels").map.forEach((k, v) -> labels.put(String.valueOf(k), String.valueOf(v)));
    return new Revision(n.text("workload").orElse(""), n.text("hash").orElse(""), labels);
  }

  private static void put(Map<String, Object> o, String key, Optional<Instant> at) {
    at.ifPresent(t -> o.put(key, t.toString()));
  }

  /** A JSON object read leniently: absent and null members are empty. */
  private record Doc(Map<?, ?> map, String where) {
    Optional<Object> get(String key) {
      return Optional.ofNullable(map.get(key));
    }

    String required(String key) {
      return text(key).orElseThrow(() -> new CanaryException(where + ": the stored rollout status has no '" + key + "'"));
    }

    Optional<String> text(String key) {
      return get(key).map(String::valueOf);
    }

    Optional<Integer> integer(String key) {
      return get(key).map(v -> v instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(v)));
    }

    /** A figure; absent or null (how JSON writes a figure that is not finite) is {@code NaN}. */
    double number(String key) {
      return get(key).map(v -> v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v))).orElse(Double.NaN);
    }

    boolean bool(String key) {
      return get(key).map(v -> v instanceof Boolean bv ? bv : Boolean.parseBoolean(String.valueOf(v))).orElse(false);
    }

    Optional<Instant> instant(String key) {
      return text(key).map(Instant::parse);
    }

    Optional<Doc> object(String key) {
      return get(key).filter(v -> v instanceof Map<?, ?>).map(v -> new Doc((Map<?, ?>) v, where));
    }

    Doc group(String key) {
      return object(key).orElseGet(() -> new Doc(Map.of(), where));
    }

    List<?> list(String key) {
      return get(key).filter(v -> v instanceof List<?>).map(v -> (List<?>) v).orElse(List.of());
    }
  }
}
