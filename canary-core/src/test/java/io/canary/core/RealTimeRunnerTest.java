package io.canary.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.memory.InMemoryTrafficRouter;
import io.canary.core.memory.InMemoryWorkloads;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.time.SystemScheduler;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The runner on real time: a slow analysis gate holds up its own rollout only. */
class RealTimeRunnerTest {
  @Test
  void aGateWaitingOnItsMetricsBackendDoesNotHoldUpOtherRollouts() throws Exception {
    CountDownLatch gateEntered = new CountDownLatch(1);
    CountDownLatch backendAnswers = new CountDownLatch(1);
    AnalysisSpec slow = AnalysisSpec.builder().name("slow-backend").initialDelay(Duration.ZERO).interval(Duration.ofSeconds(30))
        .gate(ctx -> {
          gateEntered.countDown();
          try {
            return backendAnswers.await(10, TimeUnit.SECONDS) ? AnalysisResult.pass("ok") : AnalysisResult.inconclusive("timeout");
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return AnalysisResult.inconclusive("interrupted");
          }
        })
        .build();
    // One scheduler thread: were the gate run on it, nothing else could move until it returns.
    try (SystemScheduler scheduler = SystemScheduler.create(1)) {
      InMemoryTrafficRouter router = new InMemoryTrafficRouter();
      try (CanaryRunner runner = CanaryRunner.builder().trafficRouter(router)
          .workloads(InMemoryWorkloads.create(scheduler, 4, Duration.ZERO)).scheduler(scheduler).build()) {
        RolloutHandle analysed = runner.start(RunnerStepsTest.spec(Step.setWeight(20), Step.analysis(slow)).name("analysed").scaleDownDelay(Duration.ZERO).build());
        assertThat(gateEntered.await(10, TimeUnit.SECONDS)).isTrue();

        RolloutHandle other = runner.start(RunnerStepsTest.spec(Step.setWeight(50)).name("other")
            .target(WorkloadRef.deployment("other")).scaleDownDelay(Duration.ZERO).build());
        assertThat(other.await(Duration.ofSeconds(10)).phase()).isEqualTo(Phase.SUCCEEDED);
        assertThat(analysed.status().phase()).as("still waiting for its verdict").isEqualTo(Phase.PROGRESSING);
        assertThat(analysed.status().stepIndex()).isEqualTo(1);

        backendAnswers.countDown();
        assertThat(analysed.await(Duration.ofSeconds(10)).phase()).isEqualTo(Phase.SUCCEEDED);
        assertThat(router.weights(analysed.key())).containsExactly(0, 20, 20, 0, 0);
      }
    }
  }
}
