package io.canary.core.spi;

import io.canary.core.internal.ExponentialRetry;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * How long a runner waits before it tries a failed API call again, and when it stops trying: one
 * policy for every call of the runner (actions, lease renewals, status saves, target claims,
 * {@code start()}'s reads and first writes). The wait runs on the runner's scheduler (a timer, on a
 * virtual clock in tests); no thread sleeps.
 *
 * <p>A policy is asked only about faults worth another attempt ({@link ApiFault.Kind#TRANSIENT} and
 * {@link ApiFault.Kind#CONFLICT}); a lasting fault is not retried by it. An action that the policy
 * gives up on is handled as a lasting fault: tried again with a capped backoff, and the rollout rolls
 * back once its progress deadline has passed.
 *
 * <pre>{@code
 * CanaryRunner.builder()
 *     .retryPolicy(RetryPolicy.exponential().initialDelay(Duration.ofMillis(500)).maxAttempts(8).build())
 * }</pre>
 */
@FunctionalInterface
public interface RetryPolicy {
  /**
   * The wait before attempt {@code failedAttempts + 1}, or empty to give up.
   *
   * @param failedAttempts how many attempts of this call failed in a row (1 after the first failure);
   *     the count starts again once the call succeeds
   * @param serverHint how long the server asked to wait ({@code Retry-After}), if it did: the wait is
   *     never shorter
   */
  Optional<Duration> delay(int failedAttempts, Optional<Duration> serverHint);

  /** The default: {@link #exponential()} as built, 200 ms doubling to 30 s with half of it jitter, 10 attempts. */
  static RetryPolicy defaults() {
    return exponential().build();
  }

  /** A policy that never retries (every fault is handled as a lasting one). */
  static RetryPolicy never() {
    return (failed, hint) -> Optional.empty();
  }

  /** Exponential backoff with jitter, bounded in attempts and in the longest wait. */
  static Builder exponential() {
    return new Builder();
  }

  /** Settings of the exponential policy; each has a default, and a bad value is refused at once, named. */
  final class Builder {
    private Duration initialDelay = Duration.ofMillis(200);
    private double multiplier = 2.0;
    private Duration maxDelay = Duration.ofSeconds(30);
    private double jitter = 0.5;
    private int maxAttempts = 10;
    private RandomGenerator random;

    private Builder() {}

    /** The wait after the first failure, before jitter; default 200 ms. */
    public Builder initialDelay(Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("RetryPolicy.initialDelay must be positive, was " + d);
      }
      this.initialDelay = d;
      return this;
    }

    /** How much each further failure multiplies the wait; default 2. */
    public Builder multiplier(double m) {
      if (!(m >= 1.0) || Double.isInfinite(m)) {
        throw new IllegalArgumentException("RetryPolicy.multiplier must be at least 1, was " + m);
      }
      this.multiplier = m;
      return this;
    }

    /** The longest wait, jitter included (a server's Retry-After may ask for longer); default 30 s. */
    public Builder maxDelay(Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("RetryPolicy.maxDelay must be positive, was " + d);
      }
      this.maxDelay = d;
      return this;
    }

    /**
     * The share of each wait that is random, 0 to 1: a wait {@code w} becomes one between {@code w x
     * (1 - jitter)} and {@code w}, so that runners that failed together do not retry together; default 0.5.
     */
    public Builder jitter(double j) {
      if (!(j >= 0.0 && j <= 1.0)) {
        throw new IllegalArgumentException("RetryPolicy.jitter must be between 0 and 1, was " + j);
      }
      this.jitter = j;
      return this;
    }

    /** Attempts in all, the first included, before the policy gives up; default 10. */
    public Builder maxAttempts(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("RetryPolicy.maxAttempts must be at least 1, was " + n);
      }
      this.maxAttempts = n;
      return this;
    }

    /** Where the jitter comes from (a seeded one for repeatable tests); default a fresh random source. */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "RetryPolicy.random");
      return this;
    }

    /** The same jitter for the same seed. */
    public Builder seed(long seed) {
      return random(new SplittableRandom(seed));
    }

    public RetryPolicy build() {
      if (maxDelay.compareTo(initialDelay) < 0) {
        throw new IllegalArgumentException("RetryPolicy.maxDelay (" + maxDelay + ") must not be shorter than"
            + " initialDelay (" + initialDelay + ")");
      }
      return new ExponentialRetry(initialDelay, multiplier, maxDelay, jitter, maxAttempts,
          random != null ? random : new SplittableRandom());
    }
  }
}
