package io.canary.core;

import java.util.Optional;
import java.time.Instant;
import org.immutables.value.Value;

/** The times a rollout waits for; the earliest of them wakes it. */
@Value.Immutable
public abstract class Timers {
  public abstract Optional<Instant> stepStartedAt();

  /** When a timed pause ends. */
  public abstract Optional<Instant> pauseUntil();

  /** Since when the current step waits for replicas (the progress deadline counts from here). */
  public abstract Optional<Instant> waitingSince();

  /** When the next delayed action (canary removal after promotion or abort) is due. */
  public abstract Optional<Instant> dueAt();

  public static Timers none() {
    return ImmutableTimers.builder().build();
  }

  public static ImmutableTimers.Builder builder() {
    return ImmutableTimers.builder();
  }
}
