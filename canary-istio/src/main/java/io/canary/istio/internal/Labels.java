package io.canary.istio.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Sets the owned keys of a label map (subset labels, Service selector), leaving the others as they are. */
final class Labels {
  private Labels() {}

  /**
   * Makes {@code parent[field]} carry {@code desired}; a key in {@code managedKeys} that is absent from
   * {@code desired} is removed. A map left empty is removed, so a released object reads as before.
   *
   * @return true when a key was added or got another value
   */
  static boolean apply(Map<String, Object> parent, String field, Map<String, String> desired, Set<String> managedKeys) {
    Map<String, Object> labels = new LinkedHashMap<>(Trees.map(parent.get(field)));
    boolean selectsNew = false;
    for (String key : managedKeys) {
      if (!desired.containsKey(key)) {
        labels.remove(key);
      }
    }
    for (Map.Entry<String, String> label : desired.entrySet()) {
      Object before = labels.put(label.getKey(), label.getValue());
      selectsNew |= !Objects.equals(before, label.getValue());
    }
    if (labels.isEmpty()) {
      parent.remove(field);
    } else {
      parent.put(field, labels);
    }
    return selectsNew;
  }
}
