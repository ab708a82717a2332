package io.canary.core.analysis.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a gate remembers between evaluations, per rollout attempt, bounded: past {@code capacity}
 * attempts the one used longest ago is forgotten (a rollout that long finished, as a rule). A gate
 * that forgets starts its evidence afresh, which is safe: the judgement then rests on less data.
 */
public final class EvidenceStore<E> {
  private final Map<Object, E> entries;

  public EvidenceStore(int capacity) {
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Object, E> eldest) {
        return size() > capacity;
      }
    };
  }

  public synchronized E get(Object key, Supplier<E> create) {
    return entries.computeIfAbsent(key, k -> create.get());
  }

  public synchronized int size() {
    return entries.size();
  }
}
