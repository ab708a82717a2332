package io.canary.client;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.function.BiConsumer;

/** Informer callbacks for watchers that treat an add, an update and a delete alike. */
public final class InformerEvents {
  private InformerEvents() {}

  /**
   * A handler that calls {@code changed} with the object as it is now (for a delete, as last seen) and
   * whether it was deleted, for every add, update and delete.
   */
  public static <T> ResourceEventHandler<T> onEveryChange(BiConsumer<T, Boolean> changed) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        changed.accept(obj, false);
      }

      @Override
      public void onUpdate(T before, T obj) {
        changed.accept(obj, false);
      }

      @Override
      public void onDelete(T obj, boolean finalStateUnknown) {
        changed.accept(obj, true);
      }
    };
  }
}
