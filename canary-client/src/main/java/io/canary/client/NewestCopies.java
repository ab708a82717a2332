package io.canary.client;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The copies of objects an adapter's own requests returned (the answer to its write, or a read after a
 * conflict), kept until an informer's cache holds that resourceVersion or a newer one. An informer lags
 * the writes it watches: an adapter that built its next write on the cached copy right after its own
 * write would send the old resourceVersion and meet a needless 409, or, worse, build on a copy without
 * its own last change. {@link #newest} hands out whichever copy is newer.
 *
 * <pre>{@code
 * NewestCopies<String, GenericKubernetesResource> copies = new NewestCopies<>();
 * copies.remember(key, client.resource(changed).update());
 * GenericKubernetesResource current = copies.newest(key, informer.getStore().getByKey(key));
 * }</pre>
 *
 * Resource versions are compared as numbers where both are numbers (as etcd's are); otherwise a cached
 * copy counts as caught up only at the same resourceVersion.
 */
public final class NewestCopies<K, T extends HasMetadata> {
  private final Map<K, T> copies = new ConcurrentHashMap<>();

  /** Keeps {@code copy} as the newest known copy of {@code key}, unless a newer one is kept already. */
  public void remember(K key, T copy) {
    copies.merge(key, copy, (kept, fresh) -> atLeastAsNew(kept, fresh) && !atLeastAsNew(fresh, kept) ? kept : fresh);
  }

  /**
   * {@code cached} (the informer's copy, may be null) when it is at least as new as the copy kept for
   * {@code key}, which is then forgotten; the kept copy otherwise. Null when neither is known.
   */
  public T newest(K key, T cached) {
    T kept = copies.get(key);
    if (kept == null) {
      return cached;
    }
    if (cached != null && atLeastAsNew(cached, kept)) {
      copies.remove(key, kept);
      return cached;
    }
    return kept;
  }

  /** Forgets the copy kept for {@code key} (the object was deleted, or the adapter is done with it). */
  public void forget(K key) {
    copies.remove(key);
  }

  /** Forgets every copy. */
  public void clear() {
    copies.clear();
  }

  /** True when {@code a} carries the resourceVersion of {@code b} or a newer one. */
  public static boolean atLeastAsNew(HasMetadata a, HasMetadata b) {
    String va = a.getMetadata() == null ? null : a.getMetadata().getResourceVersion();
    String vb = b.getMetadata() == null ? null : b.getMetadata().getResourceVersion();
    if (va == null || vb == null) {
      return va == null && vb == null;
    }
    if (va.equals(vb)) {
      return true;
    }
    try {
      return Long.parseLong(va) > Long.parseLong(vb);
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
