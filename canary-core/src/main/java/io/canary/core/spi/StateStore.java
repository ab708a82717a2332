package io.canary.core.spi;

import io.canary.core.RolloutKey;
import io.canary.core.RolloutStatus;
import java.util.List;
import java.util.Optional;

/** Keeps each rollout's status, with compare-and-set so that no write is lost. */
public interface StateStore {
  Optional<Versioned<RolloutStatus>> load(RolloutKey key);

  /**
   * Stores {@code status} if the stored version is still {@code expectedVersion} (empty: nothing
   * stored yet) and returns the new version.
   *
   * @throws io.canary.core.ConflictException when someone else stored another version first
   */
  String compareAndSet(RolloutKey key, Optional<String> expectedVersion, RolloutStatus status);

  /** Every rollout stored, for a runner that resumes them all. */
  List<RolloutKey> list();

  /** Forgets a rollout. */
  void delete(RolloutKey key);
}
