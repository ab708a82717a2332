package io.canary.examples.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.canary.testing.CanarySimulation;
import io.canary.testing.SimulatedCluster;
import io.canary.testing.Timeline;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The timeline's request figures agree with what the users sent. */
@CanarySimulation(scenario = "imesh-services")
class TimelineRequestRateTest {

  @Test
  void aSteadyFlowShowsItsWholeRateInEverySample(SimulatedCluster sim) {
    InCluster.untilAvailable(sim, "deb-ns", "imesh-rollout");
    sim.traffic().flow("visitors").throughGateway("deb-ns/imesh-gateway").to("deb-ns", "imesh.example.com").rate(100);
    sim.advance(Duration.ofMinutes(1));

    List<Timeline.Sample> samples = sim.timeline().samples();
    Timeline.Sample last = samples.get(samples.size() - 1);
    double sampledRate = last.revisions().stream().mapToDouble(Timeline.RevisionPoint::requestRate).sum();
    long sentInLastInterval = sim.traffic().flowStats("visitors", last.at().minusSeconds(10), last.at()).requests();

    assertThat(sentInLastInterval).isEqualTo(1000);
    assertThat(sampledRate).as("requests per second in the timeline's last sample").isCloseTo(100.0, within(0.5));
  }
}
