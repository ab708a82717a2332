package io.canary.kubernetes.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canary.core.CanaryException;
import io.canary.core.Condition;
import io.canary.core.PauseReason;
import io.canary.core.Phase;
import io.canary.core.Revision;
import io.canary.core.RolloutStatus;
import io.canary.core.Stage;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@link RolloutStatus} as JSON, field by field, so that the stored form is explicit and stays readable
 * by people ({@code kubectl get configmap -o yaml}). Unknown fields are ignored when reading and absent
 * ones take their defaults, so a newer or older runner can read it. Instants are ISO-8601 strings.
 */
public final class RolloutStatusCodec {
  /** Raised when the stored form changes in a way an older reader cannot follow. */
  static final int FORMAT = 1;

  private RolloutStatusCodec() {}

  public static String write(RolloutStatus s) {
    ObjectNode o = JsonPatch.MAPPER.createObjectNode();
    o.put("format", FORMAT);
    o.put("namespace", s.namespace());
    o.put("name", s.name());
    o.put("phase", s.phase().name());
    o.put("stage", s.stage().name());
    o.put("stepIndex", s.stepIndex());
    o.put("stepCount", s.stepCount());
    o.put("currentWeight", s.currentWeight());
    o.put("desiredWeight", s.desiredWeight());
    s.stableRevision().ifPresent(r -> o.set("stableRevision", revision(r)));
    s.canaryRevision().ifPresent(r -> o.set("canaryRevision", revision(r)));
    s.pauseReason().ifPresent(r -> o.put("pauseReason", r.name()));
    s.pauseUntil().ifPresent(t -> o.put("pauseUntil", t.toString()));
    s.stepStartedAt().ifPresent(t -> o.put("stepStartedAt", t.toString()));
    s.waitingSince().ifPresent(t -> o.put("waitingSince", t.toString()));
    s.dueAt().ifPresent(t -> o.put("dueAt", t.toString()));
    s.canaryReplicasRequested().ifPresent(n -> o.put("canaryReplicasRequested", n));
    s.referenceReplicas().ifPresent(n -> o.put("referenceReplicas", n));
    s.stableScale().ifPresent(n -> o.put("stableScale", n));
    s.stableScaleDownAt().ifPresent(t -> o.put("stableScaleDownAt", t.toString()));
    o.put("analysisPasses", s.analysisPasses());
    o.put("analysisFailures", s.analysisFailures());
    o.put("analysisInconclusive", s.analysisInconclusive());
    s.nextAnalysisAt().ifPresent(t -> o.put("nextAnalysisAt", t.toString()));
    o.put("backgroundFailures", s.backgroundFailures());
    o.put("backgroundInconclusive", s.backgroundInconclusive());
    s.nextBackgroundAnalysisAt().ifPresent(t -> o.put("nextBackgroundAnalysisAt", t.toString()));
    s.abortReason().ifPresent(r -> o.put("abortReason", r));
    s.message().ifPresent(m -> o.put("message", m));
    ArrayNode conditions = o.putArray("conditions");
    for (Condition c : s.conditions()) {
      ObjectNode n = conditions.addObject();
      n.put("type", c.type());
      n.put("status", c.status());
      n.put("reason", c.reason());
      n.put("message", c.message());
      n.put("lastTransitionTime", c.lastTransitionTime().toString());
    }
    o.put("attempt", s.attempt());
    o.put("specFingerprint", s.specFingerprint());
    o.put("lastTransitionTime", s.lastTransitionTime().toString());
    try {
      return JsonPatch.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the status of rollout " + s.key() + " as JSON", e);
    }
  }

  /** Reads what {@link #write} wrote; {@code where} names the stored object in the error. */
  public static RolloutStatus read(String json, String where) {
    JsonNode o;
    try {
      o = JsonPatch.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new CanaryException(where + " does not hold a rollout status in JSON: " + e.getOriginalMessage(), e);
    }
    if (o == null || !o.isObject()) {
      throw new CanaryException(where + " does not hold a rollout status in JSON");
    }
    try {
      var b = RolloutStatus.builder()
          .namespace(required(o, "namespace", where).asText())
          .name(required(o, "name", where).asText())
          .phase(Phase.valueOf(required(o, "phase", where).asText()))
          .lastTransitionTime(Instant.parse(required(o, "lastTransitionTime", where).asText()));
      text(o, "stage").map(Stage::valueOf).ifPresent(b::stage);
      integer(o, "stepIndex").ifPresent(b::stepIndex);
      integer(o, "stepCount").ifPresent(b::stepCount);
      integer(o, "currentWeight").ifPresent(b::currentWeight);
      integer(o, "desiredWeight").ifPresent(b::desiredWeight);
      node(o, "stableRevision").map(RolloutStatusCodec::revision).ifPresent(b::stableRevision);
      node(o, "canaryRevision").map(RolloutStatusCodec::revision).ifPresent(b::canaryRevision);
      text(o, "pauseReason").map(PauseReason::valueOf).ifPresent(b::pauseReason);
      instant(o, "pauseUntil", b::pauseUntil);
      instant(o, "stepStartedAt", b::stepStartedAt);
      instant(o, "waitingSince", b::waitingSince);
      instant(o, "dueAt", b::dueAt);
      integer(o, "canaryReplicasRequested").ifPresent(b::canaryReplicasRequested);
      integer(o, "referenceReplicas").ifPresent(b::referenceReplicas);
      integer(o, "stableScale").ifPresent(b::stableScale);
      instant(o, "stableScaleDownAt", b::stableScaleDownAt);
      integer(o, "analysisPasses").ifPresent(b::analysisPasses);
      integer(o, "analysisFailures").ifPresent(b::analysisFailures);
      integer(o, "analysisInconclusive").ifPresent(b::analysisInconclusive);
      instant(o, "nextAnalysisAt", b::nextAnalysisAt);
      integer(o, "backgroundFailures").ifPresent(b::backgroundFailures);
      integer(o, "backgroundInconclusive").ifPresent(b::backgroundInconclusive);
      instant(o, "nextBackgroundAnalysisAt", b::nextBackgroundAnalysisAt);
      text(o, "abortReason").ifPresent(b::abortReason);
      text(o, "message").ifPresent(b::message);
      for (JsonNode c : o.path("conditions")) {
        b.addConditions(new Condition(c.path("type").asText(), c.path("status").asBoolean(), c.path("reason").asText(),
            c.path("message").asText(), Instant.parse(c.path("lastTransitionTime").asText())));
      }
      integer(o, "attempt").ifPresent(b::attempt);
      text(o, "specFingerprint").ifPresent(b::specFingerprint);
      return b.build();
    } catch (RuntimeException e) {
      if (e instanceof CanaryException ce) {
        throw ce;
      }
      throw new CanaryException(where + " holds a rollout status this runner cannot read: " + e.getMessage(), e);
    }
  }

  private static ObjectNode revision(Revision r) {
    ObjectNode n = JsonPatch.MAPPER.createObjectNode();
    n.put("workload", r.workload());
    n.put("hash", r.hash());
    ObjectNode labels = n.putObject("podLabels");
    r.podLabels().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> labels.put(e.getKey(), e.getValue()));
    return n;
  }

  private static Revision revision(JsonNode n) {
    Map<String, String> labels = new LinkedHashMap<>();
    n.path("podLabels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    return new Revision(n.path("workload").asText(), n.path("hash").asText(), labels);
  }

  private static JsonNode required(JsonNode o, String field, String where) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      throw new CanaryException(where + ": the stored rollout status has no '" + field + "'");
    }
    return n;
  }

  private static Optional<JsonNode> node(JsonNode o, String field) {
    JsonNode n = o.get(field);
    return n == null || n.isNull() ? Optional.empty() : Optional.of(n);
  }

  private static Optional<String> text(JsonNode o, String field) {
    return node(o, field).map(JsonNode::asText);
  }

  private static Optional<Integer> integer(JsonNode o, String field) {
    return node(o, field).map(JsonNode::asInt);
  }

  private static void instant(JsonNode o, String field, Consumer<Instant> setter) {
    text(o, field).map(Instant::parse).ifPresent(setter);
  }
}
