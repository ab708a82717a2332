package io.canary.testing;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.Map;

/** Small objects the tests build on. */
final class Fixtures {
  static final String NS = "shop";

  private Fixtures() {}

  static Deployment deployment(String name, int replicas, String image, Map<String, String> labels) {
    return new DeploymentBuilder()
        .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector().withMatchLabels(labels).endSelector()
        .withNewTemplate()
        .withNewMetadata().withLabels(labels).endMetadata()
        .withNewSpec()
        .addNewContainer().withName("app").withImage(image)
        .withNewResources().addToRequests("cpu", new Quantity("100m")).endResources()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  static Deployment rolling(Deployment d, int maxSurge, int maxUnavailable) {
    return new DeploymentBuilder(d).editSpec().withNewStrategy().withType("RollingUpdate")
        .withNewRollingUpdate().withMaxSurge(new IntOrString(maxSurge))
        .withMaxUnavailable(new IntOrString(maxUnavailable)).endRollingUpdate().endStrategy().endSpec().build();
  }
}
