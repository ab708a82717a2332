package io.canary.gatewayapi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Path access into plain object trees, for tests that change a few fields of an expected object. */
final class Trees {
  private Trees() {}

  @SuppressWarnings("unchecked")
  static Object get(Object root, Object... path) {
    Object node = root;
    for (Object step : path) {
      node = step instanceof Integer index ? ((List<Object>) node).get(index) : ((Map<String, Object>) node).get(step);
    }
    return node;
  }

  /** Sets the field at {@code path}; the maps and lists on the way are replaced by changeable copies. */
  @SuppressWarnings("unchecked")
  static void put(Map<String, Object> root, Object value, Object... path) {
    Object node = root;
    for (int i = 0; i < path.length - 1; i++) {
      Object child = path[i] instanceof Integer index ? ((List<Object>) node).get(index) : ((Map<String, Object>) node).get(path[i]);
      Object copy = child instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m) : new ArrayList<>((List<Object>) child);
      if (path[i] instanceof Integer index) {
        ((List<Object>) node).set(index, copy);
      } else {
        ((Map<String, Object>) node).put((String) path[i], copy);
      }
      node = copy;
    }
    Object last = path[path.length - 1];
    if (last instanceof Integer index) {
      ((List<Object>) node).set(index, value);
    } else {
      ((Map<String, Object>) node).put((String) last, value);
    }
  }

  /** Replaces the list at {@code path} with a changed copy. */
  @SuppressWarnings("unchecked")
  static void editList(Map<String, Object> root, Consumer<List<Object>> change, Object... path) {
    List<Object> list = new ArrayList<>((List<Object>) get(root, path));
    change.accept(list);
    put(root, list, path);
  }

  /** The weights of the stable and the canary backendRef (the first two) of rule {@code rule}. */
  static void putWeights(Map<String, Object> route, int rule, int stable, int canary) {
    put(route, stable, "spec", "rules", rule, "backendRefs", 0, "weight");
    put(route, canary, "spec", "rules", rule, "backendRefs", 1, "weight");
  }

  /** A Service's selector with {@code added} labels. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> withSelector(Map<String, Object> service, Map<String, String> added) {
    Map<String, Object> selector = new LinkedHashMap<>((Map<String, Object>) get(service, "spec", "selector"));
    selector.putAll(added);
    put(service, selector, "spec", "selector");
    return service;
  }
}
