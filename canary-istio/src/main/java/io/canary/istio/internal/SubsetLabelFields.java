package io.canary.istio.internal;

import io.canary.core.Problem;
import io.canary.istio.SubsetStrategy;
import io.canary.core.spi.RoutingState;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Subset strategy: the labels of the DestinationRule's stable and canary subsets. */
final class SubsetLabelFields extends LabelFields {
  private final SubsetStrategy strategy;
  private final Destinations destinations;

  SubsetLabelFields(ObjectRef ref, SubsetStrategy strategy, Destinations destinations) {
    super(ref);
    this.strategy = strategy;
    this.destinations = destinations;
  }

  @Override
  public List<Problem> problems(GenericKubernetesResource object) {
    Map<String, Object> spec = Trees.spec(object);
    List<Problem> problems = new ArrayList<>();
    String host = Trees.string(spec, "host");
    if (!destinations.namesStableService(host, ref().namespace())) {
      problems.add(Problem.of(ref().toString(), "its host is '" + host + "' but the rollout routes to service '"
          + strategy.service() + "': name the DestinationRule of that service in traffic.destinationRule"));
    }
    List<String> names = Trees.maps(spec, "subsets").stream().map(s -> Trees.string(s, "name")).toList();
    for (String subset : List.of(strategy.stableSubset(), strategy.canarySubset())) {
      if (!names.contains(subset)) {
        problems.add(Problem.of(ref().toString(), "has no subset '" + subset + "' (its subsets are " + names
            + "): add {name: " + subset + ", labels: {...}} selecting the pods of the service"));
      }
    }
    return problems;
  }

  @Override
  public boolean apply(GenericKubernetesResource object, RoutingState desired) {
    Map<String, Object> spec = Trees.spec(object);
    boolean stable = Labels.apply(subset(spec, strategy.stableSubset()), "labels", desired.stableLabels(), desired.managedLabelKeys());
    boolean canary = Labels.apply(subset(spec, strategy.canarySubset()), "labels", desired.canaryLabels(), desired.managedLabelKeys());
    return stable || canary;
  }

  private Map<String, Object> subset(Map<String, Object> spec, String name) {
    Optional<Map<String, Object>> found = Trees.maps(spec, "subsets").stream().filter(s -> name.equals(Trees.string(s, "name"))).findFirst();
    return found.orElseThrow(() -> new IllegalStateException(ref() + " has no subset " + name));
  }
}
