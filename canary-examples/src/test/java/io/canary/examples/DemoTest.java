package io.canary.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.Phase;
import io.canary.core.RolloutStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command: the demo runs both parts on the simulated cluster and says where its charts are. */
class DemoTest {
  @Test
  void theDemoPromotesTheGoodReleaseAbortsTheBadOneAndWritesItsCharts(@TempDir Path out) throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    DemoOptions options = DemoOptions.parse(new String[] {"--simulated", "--out", out.toString()}, null);
    List<RolloutStatus> results = new Demo(options, new PrintStream(printed, true, StandardCharsets.UTF_8)).run();

    assertThat(results).extracting(RolloutStatus::phase).containsExactly(Phase.SUCCEEDED, Phase.ABORTED);
    assertThat(results.get(1).abortReason()).hasValueSatisfying(r -> assertThat(r).contains("analysis 'success-rate'"));
    String text = printed.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .contains("Plan for rollout istio-argo-rollouts/rollouts-demo")
        .contains("Canary weight 0 -> 20 (stable 80)", "Canary weight 60 -> 80 (stable 20)", "Canary weight 80 -> 0 (stable 100)")
        .contains("Status:          ॥ Paused", "Message:         CanaryPauseStep", "autoscaled 2..6")
        .contains("Result: Succeeded")
        .contains("all traffic is back on stable");
    for (String chart : List.of("rollouts-demo-good.html", "rollouts-demo-bad.html")) {
      Path file = out.resolve(chart);
      assertThat(text).contains("Timeline chart (weights, replicas per revision, error rates): " + file.toAbsolutePath());
      String html = Files.readString(file);
      assertThat(html).contains("<svg").contains("rollouts-demo-deployment:blue").doesNotContain("<script");
    }
  }

  @Test
  void theDemoRunsTheGatewayApiScenarioToo(@TempDir Path out) throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    DemoOptions options = DemoOptions.parse(new String[] {"--simulated", "--scenario", "appA-gateway-api", "--out", out.toString()}, null);
    List<RolloutStatus> results = new Demo(options, new PrintStream(printed, true, StandardCharsets.UTF_8)).run();

    assertThat(results).extracting(RolloutStatus::phase).containsExactly(Phase.SUCCEEDED, Phase.ABORTED);
    assertThat(results.get(1).abortReason()).hasValueSatisfying(r -> assertThat(r).contains("analysis 'success-rate'"));
    String text = printed.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .contains("Plan for rollout nsa/appa", "Strategy:        Canary (gateway-api)")
        .contains("Canary weight 0 -> 20 (stable 80)", "Canary weight 60 -> 80 (stable 20)")
        .contains("Result: Succeeded");
    assertThat(Files.readString(out.resolve("appA-gateway-api-good.html"))).contains("<svg").contains("appa:1.0.0 (").contains("appa-canary:1.1.0 (");
  }

  @Test
  void theDemoOptionsSayWhatIsWrong() {
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--kubeconfig"}, null)).hasMessage("--kubeconfig needs a value");
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--fast"}, null)).hasMessage("unknown argument '--fast'");
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {}, "/no/such/kubeconfig"))
        .hasMessage("kubeconfig /no/such/kubeconfig is not a file");
    assertThat(DemoOptions.parse(new String[] {"--simulated"}, "/no/such/kubeconfig").kubeconfig()).isEqualTo(Optional.empty());
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--scenario", "appB"}, null))
        .hasMessage("--scenario: no demo for 'appB'; the demos are [rollouts-demo-subsets, appA-gateway-api]");
  }
}
