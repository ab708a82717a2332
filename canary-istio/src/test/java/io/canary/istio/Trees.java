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

  /**
   * Sets the weights of the first two destinations of the route at {@code routePath}, for example
   * {@code "spec", "http", 0}: the layout of every seed, whose routes list two destinations.
   */
  static void putWeights(Map<String, Object> root, int first, int second, Object... routePath) {
    put(root, first, append(routePath, "route", 0, "weight"));
    put(root, second, append(routePath, "route", 1, "weight"));
  }

  /** Replaces the list at {@code path} with a changed copy (the lists of a seed may be unmodifiable). */
  @SuppressWarnings("unchecked")
  static void editList(Map<String, Object> root, java.util.function.Consumer<List<Object>> change, Object... path) {
    List<Object> list = new java.util.ArrayList<>((List<Object>) get(root, path));
    change.accept(list);
    put(root, list, path);
  }

  private static Object[] append(Object[] path, Object... more) {
    Object[] out = java.util.Arrays.copyOf(path, path.length + more.length);
    System.arraycopy(more, 0, out, path.length, more.length);
    return out;
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
