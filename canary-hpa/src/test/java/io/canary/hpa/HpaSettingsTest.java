package io.canary.hpa;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanarySpec;
import io.canary.core.ScalingOptions;
import io.canary.core.internal.SpecFingerprint;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpecBuilder;
import org.junit.jupiter.api.Test;

class HpaSettingsTest {
  private static HorizontalPodAutoscalerSpec cpu(int utilization, String target) {
    return new HorizontalPodAutoscalerSpecBuilder()
        .withMinReplicas(3).withMaxReplicas(9)
        .addNewMetric().withType("Resource").withNewResource().withName("cpu").withNewTarget()
          .withType("Utilization").withAverageUtilization(utilization).endTarget().endResource().endMetric()
        .withNewScaleTargetRef().withKind("Deployment").withName(target).endScaleTargetRef()
        .build();
  }

  @Test
  void theCanonicalFormIsTheSpecWithSortedKeysAndWithoutTheTargetTheSdkSets() {
    HpaSettings settings = HpaSettings.of(cpu(40, "ignored"));

    assertThat(settings.canonicalForm()).isEqualTo("{\"maxReplicas\":9,\"metrics\":[{\"resource\":{\"name\":\"cpu\","
        + "\"target\":{\"averageUtilization\":40,\"type\":\"Utilization\"}},\"type\":\"Resource\"}],\"minReplicas\":3}");
    assertThat(settings).isEqualTo(HpaSettings.of(cpu(40, "another")));
    assertThat(settings.spec().getScaleTargetRef()).isNull();
  }

  @Test
  void anotherAutoscalerSpecIsAnotherRelease() {
    CanarySpec with40 = CanarySpec.copyOf(HpaAwareWorkloadsTest.rolloutsDemo())
        .withScaling(ScalingOptions.builder().canaryAutoscaler(HpaSettings.of(cpu(40, "x"))).build());
    CanarySpec with60 = CanarySpec.copyOf(with40)
        .withScaling(ScalingOptions.builder().canaryAutoscaler(HpaSettings.of(cpu(60, "x"))).build());

    assertThat(SpecFingerprint.of(with40)).isNotEqualTo(SpecFingerprint.of(with60))
        .isNotEqualTo(SpecFingerprint.of(HpaAwareWorkloadsTest.rolloutsDemo()));
    assertThat(SpecFingerprint.of(CanarySpec.copyOf(with40))).isEqualTo(SpecFingerprint.of(with40));
  }
}
