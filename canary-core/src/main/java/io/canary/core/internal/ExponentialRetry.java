package io.canary.core.internal;

import io.canary.core.spi.RetryPolicy;
import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/** {@link RetryPolicy#exponential()}: exponential backoff with jitter, bounded in attempts and wait. */
public final class ExponentialRetry implements RetryPolicy {
  private final Duration initialDelay;
  private final double multiplier;
  private final Duration maxDelay;
  private final double jitter;
  private final int maxAttempts;
  private final RandomGenerator random;

  public ExponentialRetry(Duration initialDelay, double multiplier, Duration maxDelay, double jitter, int maxAttempts,
      RandomGenerator random) {
    this.initialDelay = initialDelay;
    this.multiplier = multiplier;
    this.maxDelay = maxDelay;
    this.jitter = jitter;
    this.maxAttempts = maxAttempts;
    this.random = random;
  }

  @Override
  public Optional<Duration> delay(int failedAttempts, Optional<Duration> serverHint) {
    if (failedAttempts < 1) {
      throw new IllegalArgumentException("failedAttempts counts from 1, was " + failedAttempts);
    }
    if (failedAttempts >= maxAttempts) {
      return Optional.empty();
    }
    double nanos = initialDelay.toNanos() * Math.pow(multiplier, failedAttempts - 1);
    double capped = Math.min(nanos, maxDelay.toNanos());
    double share;
    synchronized (random) {
      share = random.nextDouble();
    }
    Duration wait = Duration.ofNanos((long) (capped * (1.0 - jitter * share)));
    if (serverHint.isPresent() && serverHint.get().compareTo(wait) > 0) {
      wait = serverHint.get();
    }
    return Optional.of(wait);
  }

  @Override
  public String toString() {
    return "RetryPolicy.exponential(initialDelay " + initialDelay + ", multiplier " + multiplier + ", maxDelay " + maxDelay
        + ", jitter " + jitter + ", maxAttempts " + maxAttempts + ")";
  }
}
