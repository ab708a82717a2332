package io.canary.istio.internal;

import io.canary.core.Problem;
import io.canary.core.spi.RoutingState;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;

/** Service strategy: the selector of the stable or the canary Service. */
final class SelectorFields extends LabelFields {
  private final boolean stable;

  SelectorFields(ObjectRef ref, boolean stable) {
    super(ref);
    this.stable = stable;
  }

  @Override
  public List<Problem> problems(GenericKubernetesResource object) {
    Map<String, Object> spec = Trees.spec(object);
    if (Trees.map(spec.get("selector")).isEmpty()) {
      return List.of(Problem.of(ref().toString(), "has no selector: the service strategy narrows each Service's selector"
          + " to one revision's pods, so give it the selector of the workload's pods (for example {app: my-app})"));
    }
    return List.of();
  }

  @Override
  public boolean apply(GenericKubernetesResource object, RoutingState desired) {
    Map<String, Object> spec = Trees.spec(object);
    Map<String, String> labels = stable ? desired.stableLabels() : desired.canaryLabels();
    return Labels.apply(spec, "selector", labels, desired.managedLabelKeys());
  }
}
