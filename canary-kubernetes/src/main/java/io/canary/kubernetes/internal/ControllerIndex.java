package io.canary.kubernetes.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.informers.cache.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The objects of one informer by the uid of their controller (the ReplicaSets of a Deployment, the
 * pods of a ReplicaSet), kept from the informer's events, so that a lookup costs the objects found,
 * not a scan of the namespace. It holds keys only: the objects are read from the informer's store
 * itself, never from fabric8's informer index (which drops an object for a moment while it updates
 * it). Filled from the store once when the informer has synced, since the events of the first list
 * may be delivered after that.
 */
final class ControllerIndex<T extends HasMetadata> {
  private final Store<T> store;
  private final Map<String, Set<String>> keysByController = new ConcurrentHashMap<>();
  private final Map<String, String> controllerByKey = new ConcurrentHashMap<>();

  ControllerIndex(Store<T> store) {
    this.store = store;
  }

  /** Fills the index from the store (once synced); events seen before or after are kept. */
  void fill() {
    store.list().forEach(o -> seen(o, false));
  }

  /** The informer saw {@code object} added or updated, or deleted. */
  void seen(T object, boolean deleted) {
    String key = store.getKey(object);
    String controller = deleted ? null : controllerUid(object);
    String before = controller == null ? controllerByKey.remove(key) : controllerByKey.put(key, controller);
    if (before != null && !before.equals(controller)) {
      keysByController.computeIfPresent(before, (uid, keys) -> {
        keys.remove(key);
        return keys.isEmpty() ? null : keys;
      });
    }
    if (controller != null) {
      keysByController.computeIfAbsent(controller, uid -> ConcurrentHashMap.newKeySet()).add(key);
    }
  }

  /** The objects, as the store holds them now, whose controller has {@code uid}. */
  List<T> controlledBy(String uid) {
    Set<String> keys = uid == null ? null : keysByController.get(uid);
    if (keys == null) {
      return List.of();
    }
    List<T> found = new ArrayList<>(keys.size());
    for (String key : keys) {
      T object = store.getByKey(key);
      if (object != null && uid.equals(controllerUid(object))) {
        found.add(object);
      }
    }
    return found;
  }

  static String controllerUid(HasMetadata object) {
    return object.getMetadata().getOwnerReferences().stream()
        .filter(o -> Boolean.TRUE.equals(o.getController()))
        .map(OwnerReference::getUid)
        .filter(Objects::nonNull)
        .findFirst().orElse(null);
  }
}
