package io.canary.istio;

import java.util.List;
import java.util.Map;

/** Path access into plain object trees, for tests that change one field of an expected object. */
final class Trees {
  private Trees() {}

  /** Sets the field at {@code path} (map keys and list indexes, the last one a map key). */
  @SuppressWarnings("unchecked")
  static void put(Map<String, Object> root, Object value, Object... path) {
    Object node = root;
    for (int i = 0; i < path.length - 1; i++) {
      node = path[i] instanceof Integer index ? ((List<Object>) node).get(index) : ((Map<String, Object>) node).get(path[i]);
    }
    ((Map<String, Object>) node).put((String) path[path.length - 1], value);
  }

  @SuppressWarnings("unchecked")
  static Object get(Map<String, Object> root, Object... path) {
    Object node = root;
    for (Object step : path) {
      node = step instanceof Integer index ? ((List<Object>) node).get(index) : ((Map<String, Object>) node).get(step);
    }
    return node;
  }
}
