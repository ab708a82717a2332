package io.canary.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.AnalysisSpec;
import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.PauseReason;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutStatus;
import io.canary.core.Step;
import io.canary.core.event.AnalysisEvaluated;
import io.canary.core.event.RolloutEvent;
import io.canary.core.memory.InMemoryMetricSource;
import io.canary.core.memory.InMemoryTrafficRouter;
import io.canary.core.memory.InMemoryWorkloads;
import io.canary.core.time.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The judge driving real rollouts on the runner, virtual time. */
class JudgedRolloutTest {
  final VirtualScheduler clock = VirtualScheduler.create();
  final InMemoryMetricSource metrics = new InMemoryMetricSource();
  final List<RolloutEvent> events = new CopyOnWriteArrayList<>();

  CanaryRunner runner() {
    return CanaryRunner.builder().trafficRouter(new InMemoryTrafficRouter())
        .workloads(InMemoryWorkloads.create(clock, 5, Duration.ZERO)).scheduler(clock).addListener(events::add).build();
  }

  CanarySpec spec() {
    AnalysisSpec judged = AnalysisSpec.builder().name("judge").gate(SequentialJudge.of(metrics))
        // A pass says "no harm seen yet": twelve of them (two minutes) before the canary goes on.
        .interval(Duration.ofSeconds(10)).successfulRuns(12).failureLimit(0).inconclusiveLimit(2).build();
    return CanarySpec.copyOf(Judging.SPEC).withSteps(Step.setWeight(20), Step.analysis(judged));
  }

  /** Records {@code perSecond} requests a second for {@code seconds} from now on, for the canary and stable. */
  void traffic(int seconds, long canaryRequests, long canaryErrors, long stableRequests, long stableErrors) {
    for (int s = 1; s <= seconds; s++) {
      metrics.record("checkout-canary", clock.now().plusSeconds(s), canaryRequests, canaryErrors, 50);
      metrics.record("checkout", clock.now().plusSeconds(s), stableRequests, stableErrors, 50);
    }
  }

  @Test
  void aCanaryThatGetsNoRequestsIsNotPromotedButPausedForAPerson() {
    traffic(600, 0, 0, 100, 1);
    try (CanaryRunner runner = runner()) {
      RolloutHandle rollout = runner.start(spec());
      RolloutStatus status = rollout.await(s -> s.phase() == Phase.PAUSED || s.phase().isTerminal(), Duration.ofMinutes(10));
      assertThat(status.phase()).isEqualTo(Phase.PAUSED);
      assertThat(status.pauseReason()).contains(PauseReason.InconclusiveAnalysis);
      assertThat(events).filteredOn(e -> e instanceof AnalysisEvaluated).extracting(RolloutEvent::message)
          .allSatisfy(m -> assertThat(m).contains("INCONCLUSIVE").contains("the canary served no request in this window"));
    }
  }

  @Test
  void aCanaryThatFailsFiveTimesAsOftenAsStableIsAbortedWithTheFiguresInTheEvent() {
    traffic(600, 20, 1, 80, 1);
    try (CanaryRunner runner = runner()) {
      RolloutStatus done = runner.start(spec()).await(Duration.ofMinutes(30));
      assertThat(done.phase()).isEqualTo(Phase.ABORTED);
      assertThat(events).filteredOn(e -> e instanceof AnalysisEvaluated).last().extracting(RolloutEvent::message)
          .asString().contains("FAIL - error-share FAIL: canary 0.0500, stable 0.0125");
    }
  }

  @Test
  void aHealthyCanaryPassesOnceEnoughRequestsAddedUp() {
    traffic(600, 20, 0, 80, 0);
    try (CanaryRunner runner = runner()) {
      assertThat(runner.start(spec()).await(Duration.ofMinutes(30)).phase()).isEqualTo(Phase.SUCCEEDED);
    }
  }
}
