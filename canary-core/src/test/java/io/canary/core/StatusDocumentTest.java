package io.canary.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The stored form: written and read back whole, and the documents release 0.1 stored still read. */
class StatusDocumentTest {
  private static final Instant T = Instant.parse("2026-11-20T10:00:00Z");

  /** The status release 0.1's codec wrote into the committed fixture, as the new groups hold it. */
  private static RolloutStatus fixtureStatus() {
    return RolloutStatus.builder()
        .namespace("istio-argo-rollouts").name("rollouts-demo").phase(Phase.PAUSED).stage(Stage.NONE)
        .step(StepProgress.builder().index(3).count(8).currentWeight(40).desiredWeight(40).canaryReplicasRequested(2).build())
        .timers(Timers.builder().pauseUntil(T.plusSeconds(10)).stepStartedAt(T).waitingSince(T.minusSeconds(20))
            .dueAt(T.plusSeconds(600)).build())
        .stableScaling(StableScaling.builder().referenceReplicas(5).replicas(3).scaleDownAt(T.plusSeconds(30)).build())
        .stepAnalysis(AnalysisCounters.builder().passes(1).failures(2).inconclusive(3).nextAt(T.plusSeconds(60)).build())
        .backgroundAnalysis(AnalysisCounters.builder().failures(1).inconclusive(2).nextAt(T.plusSeconds(120)).build())
        .stableRevision(new Revision("rollouts-demo-deployment", "6b9d5c7f4", Map.of("canary.io/revision", "6b9d5c7f4")))
        .canaryRevision(new Revision("rollouts-demo-deployment-canary", "7c4f8d9b2", Map.of("canary.io/revision", "7c4f8d9b2")))
        .pauseReason(PauseReason.CanaryPauseStep)
        .abortReason("none yet").message("paused for 10s")
        .addConditions(new Condition("Progressing", true, "RolloutStarted",
            "canary images {rollouts-demo=argoproj/rollouts-demo:red} is rolling out", T.minusSeconds(100)))
        .addConditions(new Condition("Paused", true, "CanaryPauseStep", "paused for 10s", T))
        .attempt(1).specFingerprint("3f2a9c81d04e7b65").lastTransitionTime(T).build();
  }

  @Test
  void aDocumentWrittenByRelease01IsReadIntoTheGroups() throws IOException {
    String stored;
    try (InputStream in = getClass().getResourceAsStream("/status/format-1-release-0.1.json")) {
      stored = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(stored).contains("\"format\" : 1").contains("\"stableScale\" : 3");
    assertThat(StatusDocument.read(stored, "ConfigMap fixture")).isEqualTo(fixtureStatus());
  }

  @Test
  void everyFieldSurvivesAWriteAndARead() {
    RolloutStatus status = fixtureStatus();
    String document = StatusDocument.write(status);
    assertThat(document).startsWith("{\n  \"schemaVersion\": 2,").contains("\"step\": {", "\"stableScaling\": {");
    assertThat(StatusDocument.read(document, "here")).isEqualTo(status);
  }

  @Test
  void absentGroupsTakeTheirDefaultsAndUnknownFieldsAreIgnored() {
    RolloutStatus read = StatusDocument.read("{\"schemaVersion\": 2, \"namespace\": \"shop\", \"name\": \"web\","
        + " \"phase\": \"PENDING\", \"lastTransitionTime\": \"2026-11-20T10:00:00Z\", \"addedLater\": {\"x\": [1, 2.5, null]}}", "here");
    assertThat(read.step()).isEqualTo(StepProgress.of(0));
    assertThat(read.timers()).isEqualTo(Timers.none());
    assertThat(read.stableScaling().replicas()).isEqualTo(Optional.empty());
  }

  @Test
  void aNewerSchemaIsRefusedWithTheWayOut() {
    assertThatThrownBy(() -> StatusDocument.read("{\"schemaVersion\": 3, \"name\": \"web\"}", "ConfigMap shop/canary-status-web"))
        .isInstanceOf(CanaryException.class)
        .hasMessageContaining("ConfigMap shop/canary-status-web holds a rollout status of schema version 3")
        .hasMessageContaining("upgrade the runner");
  }

  @Test
  void textThatIsNoStatusSaysWhereItIs() {
    assertThatThrownBy(() -> StatusDocument.read("{\"schemaVersion\": 2, \"name\": ", "ConfigMap shop/x"))
        .isInstanceOf(CanaryException.class).hasMessageContaining("ConfigMap shop/x does not hold a rollout status in JSON");
    assertThatThrownBy(() -> StatusDocument.read("{\"schemaVersion\": 2}", "ConfigMap shop/x"))
        .isInstanceOf(CanaryException.class).hasMessageContaining("ConfigMap shop/x: the stored rollout status has no 'namespace'");
  }

  @Test
  void stringsWithQuotesAndLineBreaksSurvive() {
    RolloutStatus status = RolloutStatus.copyOf(fixtureStatus()).withMessage("said \"no\"\nthen\tleft \\ \u0001");
    assertThat(StatusDocument.read(StatusDocument.write(status), "here").message()).isEqualTo(status.message());
  }
}
