package io.canary.testing.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehaviorBuilder;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HpaAlgorithmTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void proposalIsCurrentTimesUtilizationOverTargetRoundedUp() {
    // 4 ready pods of 100m each using 90m: 90% against a 50% target -> ceil(4 x 1.8) = 8
    assertThat(HpaAlgorithm.proposal(4, 4, 0, 360, 400, 0, 50)).isEqualTo(8);
    // 30% against 50% -> ceil(4 x 0.6) = 3
    assertThat(HpaAlgorithm.proposal(4, 4, 0, 120, 400, 0, 50)).isEqualTo(3);
  }

  @Test
  void withinTenPercentToleranceNothingChanges() {
    assertThat(HpaAlgorithm.proposal(4, 4, 0, 218, 400, 0, 50)).isEqualTo(4); // 54.5%: ratio 1.09
    assertThat(HpaAlgorithm.proposal(4, 4, 0, 182, 400, 0, 50)).isEqualTo(4); // 45.5%: ratio 0.91
    assertThat(HpaAlgorithm.proposal(4, 4, 0, 226, 400, 0, 50)).isEqualTo(5); // 56.5%: ratio 1.13
  }

  @Test
  void podsNotReadyCountAsIdleWhenScalingUp() {
    // 2 ready pods at 100% (target 50%) and 2 pods starting: assumed 0%, so 50% over 4 pods: no change
    assertThat(HpaAlgorithm.proposal(4, 2, 2, 200, 200, 200, 50)).isEqualTo(4);
    // with only ready pods it would have asked for ceil(2 x 2) = 4 on 2 pods; ready 2 at 150%: 75% over 4 -> 6
    assertThat(HpaAlgorithm.proposal(4, 2, 2, 300, 200, 200, 50)).isEqualTo(6);
  }

  @Test
  void defaultScaleUpAllowsDoubleOrFourPodsPerFifteenSeconds() {
    HpaAlgorithm hpa = new HpaAlgorithm();
    assertThat(hpa.normalize(T0, 2, 20, 1, 50, null)).isEqualTo(6); // max(2 x 2, 2 + 4)
    // within the same 15 s period the 4 added pods count: from 6, period start 2 -> still 6
    assertThat(hpa.normalize(T0.plusSeconds(10), 6, 20, 1, 50, null)).isEqualTo(6);
    // next period: max(6 x 2, 6 + 4) = 12
    assertThat(hpa.normalize(T0.plusSeconds(15), 6, 20, 1, 50, null)).isEqualTo(12);
    assertThat(new HpaAlgorithm().normalize(T0, 10, 40, 1, 50, null)).isEqualTo(20); // 100% beats 4 pods
  }

  @Test
  void scaleDownWaitsForTheHighestRecommendationOfTheLastFiveMinutes() {
    HpaAlgorithm hpa = new HpaAlgorithm();
    assertThat(hpa.normalize(T0, 10, 10, 1, 20, null)).isEqualTo(10);
    for (int s = 15; s < 300; s += 15) {
      assertThat(hpa.normalize(T0.plusSeconds(s), 10, 2, 1, 20, null)).as("at %s s", s).isEqualTo(10);
    }
    assertThat(hpa.normalize(T0.plusSeconds(300), 10, 2, 1, 20, null)).isEqualTo(2);
  }

  @Test
  void clampsToMinAndMax() {
    assertThat(new HpaAlgorithm().normalize(T0, 8, 9, 2, 8, null)).isEqualTo(8);
    HpaAlgorithm quick = new HpaAlgorithm();
    HorizontalPodAutoscalerBehavior noWindow = new HorizontalPodAutoscalerBehaviorBuilder()
        .withNewScaleDown().withStabilizationWindowSeconds(0).endScaleDown().build();
    assertThat(quick.normalize(T0, 5, 1, 3, 10, noWindow)).isEqualTo(3);
  }

  @Test
  void honoursTheBehaviorOfTheSpec() {
    HorizontalPodAutoscalerBehavior slow = new HorizontalPodAutoscalerBehaviorBuilder()
        .withNewScaleDown().withStabilizationWindowSeconds(0)
        .addNewPolicy().withType("Pods").withValue(1).withPeriodSeconds(60).endPolicy().endScaleDown()
        .withNewScaleUp().withSelectPolicy("Disabled").endScaleUp()
        .build();
    HpaAlgorithm hpa = new HpaAlgorithm();
    assertThat(hpa.normalize(T0, 10, 2, 1, 20, slow)).isEqualTo(9);
    assertThat(hpa.normalize(T0.plusSeconds(15), 9, 2, 1, 20, slow)).isEqualTo(9); // 1 pod per minute
    assertThat(hpa.normalize(T0.plusSeconds(60), 9, 2, 1, 20, slow)).isEqualTo(8);
    assertThat(hpa.normalize(T0.plusSeconds(75), 8, 30, 1, 20, slow)).isEqualTo(8); // scale-up disabled
  }
}
