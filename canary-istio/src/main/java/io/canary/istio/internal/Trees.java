package io.canary.istio.internal;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Access to the untyped JSON tree of a routing object. The router works on the tree as the API server
 * returned it, so that fields this client version has no model for are written back untouched.
 */
final class Trees {
  private Trees() {}

  /** The {@code spec} of a routing object, changed in place by the editors. */
  static Map<String, Object> spec(GenericKubernetesResource object) {
    return map(object.getAdditionalProperties().get("spec"));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object node) {
    return node instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object node) {
    return node instanceof List<?> l ? (List<Object>) l : List.of();
  }

  /** The list of maps under {@code key}, skipping anything that is not a map. */
  static List<Map<String, Object>> maps(Map<String, Object> parent, String key) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object item : list(parent.get(key))) {
      if (item instanceof Map<?, ?>) {
        out.add(map(item));
      }
    }
    return out;
  }

  static String string(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    return value == null ? null : value.toString();
  }

  /** An integer field; {@code fallback} when absent or not a number. */
  static int integer(Map<String, Object> parent, String key, int fallback) {
    return parent.get(key) instanceof Number n ? n.intValue() : fallback;
  }

  /** Deep copy of a JSON tree of maps, lists and scalars. */
  static Object copy(Object node) {
    if (node instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(Objects.toString(k), copy(v)));
      return out;
    }
    if (node instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(v -> out.add(copy(v)));
      return out;
    }
    return node;
  }

  static Map<String, Object> copyMap(Map<String, Object> node) {
    return map(copy(node));
  }
}
