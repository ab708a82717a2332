package io.canary.gatewayapi.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canary.core.Problem;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The label keys the router owns in the selector of the stable or the canary Service: each revision's
 * pod labels narrow its Service to that revision's pods, and a released key goes, so the Service reads
 * as the user wrote it.
 */
final class ServiceSelector {
  private final String namespace;
  private final String name;
  private final boolean stable;

  ServiceSelector(String namespace, String name, boolean stable) {
    this.namespace = namespace;
    this.name = name;
    this.stable = stable;
  }

  String namespace() {
    return namespace;
  }

  String name() {
    return name;
  }

  @Override
  public String toString() {
    return "Service " + namespace + "/" + name;
  }

  List<Problem> problems(ObjectNode service) {
    if (service.path("spec").path("selector").isEmpty()) {
      return List.of(Problem.of(this + " spec.selector", "is empty: the rollout narrows each Service's selector to one revision's pods,"
          + " so give it the selector of the workload's pods (for example {app: my-app})"));
    }
    return List.of();
  }

  /**
   * Makes the selector carry the revision's labels, without the released keys.
   *
   * @return true when a key was added or got another value: the Service then selects pods it did not
   *     select before, so it is written before the weights that send traffic to it
   */
  boolean apply(ObjectNode service, Map<String, String> stableLabels, Map<String, String> canaryLabels, Set<String> managedKeys) {
    ObjectNode selector = Json.object(Json.object(service, "spec"), "selector");
    Map<String, String> wanted = stable ? stableLabels : canaryLabels;
    boolean selectsOtherPods = false;
    for (String key : managedKeys) {
      if (!wanted.containsKey(key)) {
        selector.remove(key);
      }
    }
    for (Map.Entry<String, String> label : wanted.entrySet()) {
      JsonNode before = selector.get(label.getKey());
      if (before == null || !before.asText().equals(label.getValue())) {
        selector.put(label.getKey(), label.getValue());
        selectsOtherPods = true;
      }
    }
    return selectsOtherPods;
  }
}
