package io.canary.core.memory;

import io.canary.core.ConflictException;
import io.canary.core.RolloutKey;
import io.canary.core.RolloutStatus;
import io.canary.core.spi.StateStore;
import io.canary.core.spi.Versioned;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Statuses in memory with compare-and-set: the runner's default (rollouts then live as long as the
 * process), and a store tests can inspect: {@link #history} holds every status ever saved.
 */
public final class InMemoryStateStore implements StateStore {
  private final Map<RolloutKey, Versioned<RolloutStatus>> statuses = new HashMap<>();
  private final Map<RolloutKey, List<RolloutStatus>> history = new HashMap<>();
  private long lastVersion;

  @Override
  public synchronized Optional<Versioned<RolloutStatus>> load(RolloutKey key) {
    return Optional.ofNullable(statuses.get(key));
  }

  @Override
  public synchronized String compareAndSet(RolloutKey key, Optional<String> expectedVersion, RolloutStatus status) {
    Optional<String> stored = Optional.ofNullable(statuses.get(key)).map(Versioned::version);
    if (!stored.equals(expectedVersion)) {
      throw new ConflictException("StateStore: rollout " + key + " is stored at version " + stored.orElse("(none)")
          + ", not " + expectedVersion.orElse("(none)") + ": someone else saved it first");
    }
    String version = Long.toString(++lastVersion);
    statuses.put(key, new Versioned<>(status, version));
    history.computeIfAbsent(key, k -> new ArrayList<>()).add(status);
    return version;
  }

  @Override
  public synchronized List<RolloutKey> list() {
    return List.copyOf(new TreeSet<>(statuses.keySet()));
  }

  @Override
  public synchronized void delete(RolloutKey key) {
    statuses.remove(key);
  }

  /** Every status saved for {@code key}, oldest first. */
  public synchronized List<RolloutStatus> history(RolloutKey key) {
    return List.copyOf(history.getOrDefault(key, List.of()));
  }

  /** How many times a status was saved, over all rollouts. */
  public synchronized long writes() {
    return lastVersion;
  }
}
