package io.canary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canary.testing.CanarySimulation;
import io.canary.testing.SimulatedCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command of {@code canary} against the simulated cluster of seed imesh-services (nginx 1.15.4
 * to 1.15.5 through the stable and canary Services), asserting what it prints and its exit code.
 */
@CanarySimulation(scenario = "imesh-services")
class CanaryCommandTest {
  private static final String NS = "deb-ns";
  private static final String SPEC = """
      name: imesh-rollout
      namespace: deb-ns
      target: {name: imesh-rollout}
      revision: {images: {nginx: "nginx:1.15.5"}}
      traffic:
        istio:
          services: {stableService: stable-svc, canaryService: canary-svc}
          virtualServices: [{name: imesh-vsvc, httpRoutes: [primary]}]
      steps:
        - setWeight: 50
        - pause: {}
        - setWeight: 80
        - pause: {duration: 2m}
      """;

  @TempDir
  Path dir;
  Path spec;

  @BeforeEach
  void seedRuns(SimulatedCluster sim) throws IOException {
    sim.advanceUntil("the seed's pods available", () -> {
      Deployment d = deployment(sim, "imesh-rollout");
      return d.getStatus() != null && Integer.valueOf(d.getSpec().getReplicas()).equals(d.getStatus().getAvailableReplicas());
    }, Duration.ofMinutes(5));
    spec = Files.writeString(dir.resolve("canary.yaml"), SPEC);
  }

  @Test
  void planPrintsEveryChangeAndWritesNothing(SimulatedCluster sim) {
    CliRun plan = CliRun.on(sim, "plan", "-f", spec.toString());

    assertThat(plan.exit()).as(plan.toString()).isZero();
    assertThat(plan.out()).contains("setWeight 50").contains("VirtualService").contains("nothing was written");
    assertThat(sim.client().configMaps().inNamespace(NS).withName("canary-rollout-imesh-rollout").get()).isNull();
    assertThat(deployment(sim, "imesh-rollout-canary")).isNull();
  }

  @Test
  void runWaitsUntilThePauseForAPersonThenPromoteWaitsUntilItSucceeds(SimulatedCluster sim) throws IOException {
    CliRun run = CliRun.on(sim, "run", "-f", spec.toString(), "--wait", "--report", dir.resolve("run.xml").toString());

    assertThat(run.exit()).as(run.toString()).isEqualTo(3);
    assertThat(run.out()).contains("Rollout deb-ns/imesh-rollout started").contains("RolloutStarted: ")
        .contains("WeightChanged: ").doesNotContain("\u001b");
    assertThat(run.err()).contains("is paused for a person (Paused, step 2/4, weight 50% (CanaryPauseStep))");
    assertThat(Files.readString(dir.resolve("run.xml"))).contains("<testsuite name=\"canary run\" tests=\"1\" failures=\"1\"")
        .contains("<testcase classname=\"canary.run\" name=\"deb-ns/imesh-rollout\"")
        .contains("<failure type=\"exit 3\"").contains("WeightChanged");

    CliRun status = CliRun.on(sim, "status", "imesh-rollout", "-n", NS);
    assertThat(status.exit()).as(status.toString()).isEqualTo(3);
    assertThat(status.out()).containsPattern("Status:\\s+Paused").containsPattern("ActualWeight:\\s+50");

    CliRun promote = CliRun.on(sim, "promote", "-f", spec.toString(), "--wait", "--report", dir.resolve("promote.json").toString());
    assertThat(promote.exit()).as(promote.toString()).isZero();
    assertThat(promote.out()).contains("promote applied (was Paused").contains("Rollout deb-ns/imesh-rollout succeeded")
        .contains("RolloutPromoted");
    assertThat(image(deployment(sim, "imesh-rollout"))).isEqualTo("nginx:1.15.5");
    JsonNode report = new ObjectMapper().readTree(dir.resolve("promote.json").toFile());
    assertThat(report.get("exitCode").asInt()).isZero();
    assertThat(report.get("command").asText()).isEqualTo("promote");
    assertThat(report.get("status").get("phase").asText()).isEqualTo("SUCCEEDED");
    assertThat(report.get("events").get(0).asText()).contains("RolloutStarted: Resumed rollout at step 2/4");

    CliRun watch = CliRun.on(sim, "status", "imesh-rollout", "-n", NS, "--watch", "--timeout", "5s");
    assertThat(watch.exit()).as(watch.toString()).isZero();
    assertThat(watch.out()).containsPattern("Status:\\s+Succeeded").contains("is Succeeded");

    CliRun json = CliRun.on(sim, "status", "imesh-rollout", "-n", NS, "-o", "json");
    assertThat(json.exit()).isZero();
    assertThat(json.out()).startsWith("{").contains("\"phase\": \"SUCCEEDED\"");
  }

  @Test
  void promoteFullySkipsEveryStepAndTheTimeoutOfAWaitExitsWith3(SimulatedCluster sim) {
    assertThat(CliRun.on(sim, "run", "-f", spec.toString(), "--wait").exit()).isEqualTo(3);
    CliRun promote = CliRun.on(sim, "promote", "-f", spec.toString());
    assertThat(promote.exit()).as(promote.toString()).isZero();

    CliRun timedOut = CliRun.on(sim, "run", "-f", spec.toString(), "--wait", "--timeout", "1m");
    assertThat(timedOut.exit()).as(timedOut.toString()).isEqualTo(3);
    assertThat(timedOut.out()).contains("resumed");
    assertThat(timedOut.err()).contains("did not end within the timeout: Paused, step 4/4, weight 80%");

    CliRun full = CliRun.on(sim, "promote", "--full", "-f", spec.toString(), "--wait");
    assertThat(full.exit()).as(full.toString()).isZero();
    assertThat(full.out()).contains("promote --full applied").contains("succeeded");
  }

  @Test
  void abortWaitsUntilTrafficIsBackOnStableAndExitsWith2ThenRetryStartsAgain(SimulatedCluster sim) throws IOException {
    CliRun.on(sim, "run", "-f", spec.toString(), "--wait");

    CliRun abort = CliRun.on(sim, "abort", "-f", spec.toString(), "--wait", "--report", dir.resolve("abort.json").toString());

    assertThat(abort.exit()).as(abort.toString()).isEqualTo(2);
    assertThat(abort.out()).contains("RolloutAborted");
    assertThat(abort.err()).contains("Rollout deb-ns/imesh-rollout aborted");
    JsonNode report = new ObjectMapper().readTree(dir.resolve("abort.json").toFile());
    assertThat(report.get("exitCode").asInt()).isEqualTo(2);
    assertThat(report.get("status").get("phase").asText()).isEqualTo("ABORTED");
    assertThat(CliRun.on(sim, "status", "imesh-rollout", "-n", NS).exit()).isEqualTo(2);

    CliRun retry = CliRun.on(sim, "retry", "-f", spec.toString(), "--wait");
    assertThat(retry.exit()).as(retry.toString()).isEqualTo(3);
    assertThat(retry.out()).contains("retry applied (was Aborted");
  }

  @Test
  void pauseHoldsTheRolloutForAPersonAndResumeGoesOnToTheEnd(SimulatedCluster sim) {
    CliRun.on(sim, "run", "-f", spec.toString(), "--wait");
    CliRun.on(sim, "promote", "-f", spec.toString());

    CliRun pause = CliRun.on(sim, "pause", "-f", spec.toString());
    assertThat(pause.exit()).as(pause.toString()).isZero();
    assertThat(pause.out()).contains("pause applied");
    CliRun held = CliRun.on(sim, "run", "-f", spec.toString(), "--wait");
    assertThat(held.exit()).as(held.toString()).isEqualTo(3);
    assertThat(held.err()).contains("(UserPause)");

    CliRun resume = CliRun.on(sim, "resume", "-f", spec.toString(), "--wait");
    assertThat(resume.exit()).as(resume.toString()).isZero();
    assertThat(resume.out()).contains("succeeded");
    assertThat(image(deployment(sim, "imesh-rollout"))).isEqualTo("nginx:1.15.5");
  }

  @Test
  void undoReleasesThePreviousRevisionAgain(SimulatedCluster sim) {
    CliRun.on(sim, "run", "-f", spec.toString(), "--wait");
    assertThat(CliRun.on(sim, "promote", "--full", "-f", spec.toString(), "--wait").exit()).isZero();

    CliRun undo = CliRun.on(sim, "undo", "-f", spec.toString(), "--wait");

    assertThat(undo.exit()).as(undo.toString()).isEqualTo(3);
    assertThat(undo.out()).contains("undo started a release of the previous revision");
    CliRun statusTree = CliRun.on(sim, "status", "imesh-rollout", "-f", spec.toString());
    assertThat(statusTree.out()).containsPattern("Strategy:\\s+Canary \\(services\\)").containsPattern("Status:\\s+. Paused");
  }

  @Test
  void anInvalidSpecFileExitsWith4NamingEachProblemsLineAndWritesNothing(SimulatedCluster sim) throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.yaml"), SPEC.replace("setWeight: 50", "setWeight: 150")
        .replace("target: {name: imesh-rollout}", "target: {name: imesh-rollout, replica: 1}"));

    CliRun run = CliRun.on(sim, "run", "-f", bad.toString(), "--wait");

    assertThat(run.exit()).as(run.toString()).isEqualTo(4);
    assertThat(run.err()).contains(bad + " is invalid (2 problems)")
        .contains(bad + ":3:40: target.replica: unknown field 'replica'")
        .contains(bad + ":10:16: steps[0].setWeight: must be within 0..100, was 150");
    assertThat(sim.client().configMaps().inNamespace(NS).withName("canary-rollout-imesh-rollout").get()).isNull();
  }

  @Test
  void clusterObjectsTheSpecNamesThatDoNotExistExitWith4(SimulatedCluster sim) throws IOException {
    Path missing = Files.writeString(dir.resolve("missing.yaml"), SPEC.replace("name: imesh-vsvc", "name: no-such-vs"));

    CliRun run = CliRun.on(sim, "run", "-f", missing.toString());

    assertThat(run.exit()).as(run.toString()).isEqualTo(4);
    assertThat(run.err()).contains("no-such-vs");
    assertThat(deployment(sim, "imesh-rollout-canary")).isNull();
  }

  @Test
  void anythingElseExitsWith1(SimulatedCluster sim) {
    CliRun unknown = CliRun.on(sim, "deploy", "-f", spec.toString());
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).contains("unknown command 'deploy'");

    CliRun notStarted = CliRun.on(sim, "promote", "-f", spec.toString());
    assertThat(notStarted.exit()).isEqualTo(1);
    assertThat(notStarted.err()).contains("has no stored status: start it with canary run -f first");

    CliRun noSuchRollout = CliRun.on(sim, "status", "nothing", "-n", NS);
    assertThat(noSuchRollout.exit()).isEqualTo(1);
    assertThat(noSuchRollout.err()).contains("Rollout deb-ns/nothing has no stored status");

    CliRun noFile = CliRun.on(sim, "run");
    assertThat(noFile.exit()).isEqualTo(1);
    assertThat(noFile.err()).contains("canary run needs the spec: -f canary.yaml");
  }

  @Test
  void runWithoutWaitHandsTheRolloutBackOnceItsStartIsSaved(SimulatedCluster sim) {
    CliRun run = CliRun.on(sim, "run", "-f", spec.toString());

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).contains("handed back");
    assertThat(sim.client().configMaps().inNamespace(NS).withName("canary-rollout-imesh-rollout").get()).isNotNull();
  }

  @Test
  void onATerminalAProgressLineFollowsTheEventsAndPlainTurnsItOff(SimulatedCluster sim) {
    CliRun terminal = CliRun.on(sim, true, "run", "-f", spec.toString(), "--wait");
    assertThat(terminal.out()).contains("\r\u001b[2K");

    CliRun plain = CliRun.on(sim, true, "status", "imesh-rollout", "-n", NS, "--plain");
    assertThat(plain.out()).doesNotContain("\u001b");
  }

  private static Deployment deployment(SimulatedCluster sim, String name) {
    return sim.client().apps().deployments().inNamespace(NS).withName(name).get();
  }

  private static String image(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }
}
