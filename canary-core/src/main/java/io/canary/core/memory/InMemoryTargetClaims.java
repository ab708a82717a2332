package io.canary.core.memory;

import io.canary.core.RolloutKey;
import io.canary.core.spi.TargetClaims;
import io.canary.core.spi.TargetKey;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Target claims in memory: the runner's default (right for the runners of one process when they share
 * it), and claims tests can look at ({@link #holder}).
 */
public final class InMemoryTargetClaims implements TargetClaims {
  private final Map<TargetKey, Claim> claims = new HashMap<>();

  @Override
  public synchronized Optional<Claim> claim(TargetKey target, RolloutKey rollout, Instant now, Predicate<Claim> stale) {
    Claim current = claims.get(target);
    if (current != null && !current.rollout().equals(rollout) && !stale.test(current)) {
      return Optional.of(current);
    }
    claims.put(target, new Claim(rollout, now));
    return Optional.empty();
  }

  @Override
  public synchronized void release(TargetKey target, RolloutKey rollout) {
    claims.computeIfPresent(target, (t, c) -> c.rollout().equals(rollout) ? null : c);
  }

  @Override
  public synchronized Optional<Claim> holder(TargetKey target) {
    return Optional.ofNullable(claims.get(target));
  }
}
