package io.canary.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One runner drives a thousand rollouts on one scheduler, without a thread of their own. */
class ManyRolloutsTest {
  @Test
  void oneRunnerDrivesAThousandRolloutsToTheEnd() {
    try (Fixture f = new Fixture(5, Duration.ofSeconds(20))) {
      int threadsBefore = Thread.activeCount();
      List<RolloutHandle> handles = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        CanarySpec spec = RunnerStepsTest.spec(Step.setWeight(20), Step.pause(Duration.ofMinutes(i % 7 + 1)),
            Step.setWeight(50), Step.pause(Duration.ofMinutes(5))).name("app-" + i)
            .target(WorkloadRef.deployment("web-" + i)).build();
        handles.add(f.runner.start(spec));
      }
      assertThat(Thread.activeCount()).as("no thread per rollout").isLessThanOrEqualTo(threadsBefore + 1);
      handles.get(999).await(Duration.ofHours(1));
      for (RolloutHandle h : handles) {
        assertThat(h.await(Duration.ofMinutes(1)).phase()).as(h.key().toString()).isEqualTo(Phase.SUCCEEDED);
        assertThat(f.router.weights(h.key())).containsExactly(0, 20, 50, 50, 0, 0);
      }
      assertThat(handles).noneMatch(RolloutHandle::isDriving);
      assertThat(f.driver(handles.get(0).key())).as("an ended rollout is owned by nobody").isEmpty();
    }
  }
}
