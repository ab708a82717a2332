package io.canary.kubernetes.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this process wrote to objects of one kind in one namespace, as the API server answered, until
 * the informer has seen each write: laid over the informer's store, it makes the newest known copy the
 * one read, so a decision taken right after a write never acts on the copy from before it (creates a
 * second canary, patches with a stale resourceVersion).
 */
final class OwnWrites<T extends HasMetadata> {
  /** The object as written, or {@code deleted} at the version it had. */
  private record Written<T extends HasMetadata>(T object, boolean deleted) {}

  private final Map<String, Written<T>> written = new ConcurrentHashMap<>();

  /** This process created or changed {@code object}; the server answered with it. */
  void wrote(T object) {
    written.put(object.getMetadata().getName(), new Written<>(object, false));
  }

  /** This process deleted {@code object} (last seen as given). */
  void deleted(T object) {
    written.put(object.getMetadata().getName(), new Written<>(object, true));
  }

  /** The names written and not yet seen by the informer. */
  Set<String> names() {
    return written.keySet();
  }

  /** The newest of {@code seen} (the informer's copy, null when it has none) and this process's own write. */
  Optional<T> newest(String name, T seen) {
    Written<T> own = written.get(name);
    if (own == null || (seen != null && supersedes(seen, own))) {
      return Optional.ofNullable(seen);
    }
    return own.deleted() ? Optional.empty() : Optional.of(own.object());
  }

  /** The informer saw {@code object} (added, updated or, with {@code deletion}, deleted). */
  void seen(T object, boolean deletion) {
    written.computeIfPresent(object.getMetadata().getName(),
        (n, own) -> (deletion && own.deleted()) || supersedes(object, own) ? null : own);
  }

  /**
   * True when the informer's {@code seen} is as new as this process's write (for a deletion: a newer
   * object, made again after it). resourceVersions are compared as the numbers every API server (etcd)
   * gives out; where one is not a number, a written object gives way to anything seen after it, and a
   * deletion only to the informer's own deletion event.
   */
  private static boolean supersedes(HasMetadata seen, Written<?> own) {
    try {
      long version = Long.parseLong(seen.getMetadata().getResourceVersion());
      long ours = Long.parseLong(own.object().getMetadata().getResourceVersion());
      return own.deleted() ? version > ours : version >= ours;
    } catch (NumberFormatException e) {
      return !own.deleted();
    }
  }
}
