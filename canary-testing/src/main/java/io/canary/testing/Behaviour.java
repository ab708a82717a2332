package io.canary.testing;

import java.time.Duration;
import org.immutables.value.Value;

/**
 * How the pods of one revision answer: the share of requests that fail with a 5xx, the latency, and
 * the CPU they burn. Set per revision with {@link TrafficSimulator#behaviour(PodMatcher, Behaviour)}
 * and change it at any virtual time.
 */
@Value.Immutable
public abstract class Behaviour {
  /** Share of requests answered with a 5xx, from 0 to 1. */
  @Value.Default
  public double errorRate() {
    return 0;
  }

  /** Median latency. */
  @Value.Default
  public Duration latencyP50() {
    return Duration.ofMillis(20);
  }

  /** 99th percentile latency; what analysis reads. */
  @Value.Default
  public Duration latencyP99() {
    return Duration.ofMillis(100);
  }

  /** CPU one request costs, in millicores for one second (a request per second uses this much). */
  @Value.Default
  public double cpuMillicoresPerRequest() {
    return 1;
  }

  /** CPU a ready pod uses with no traffic, in millicores. */
  @Value.Default
  public double idleCpuMillicores() {
    return 0;
  }

  @Value.Check
  protected void check() {
    if (!(errorRate() >= 0 && errorRate() <= 1)) {
      throw new IllegalArgumentException("Behaviour.errorRate must be between 0 and 1, got " + errorRate());
    }
    if (latencyP50().isNegative() || latencyP99().compareTo(latencyP50()) < 0) {
      throw new IllegalArgumentException("Behaviour latency: latencyP99 (" + latencyP99()
          + ") must be at least latencyP50 (" + latencyP50() + "), both not negative");
    }
    if (cpuMillicoresPerRequest() < 0 || idleCpuMillicores() < 0) {
      throw new IllegalArgumentException("Behaviour CPU figures must not be negative, got cpuMillicoresPerRequest="
          + cpuMillicoresPerRequest() + ", idleCpuMillicores=" + idleCpuMillicores());
    }
  }

  /** No errors, 20 ms median and 100 ms p99, 1 millicore per request per second. */
  public static Behaviour healthy() {
    return builder().build();
  }

  public static ImmutableBehaviour.Builder builder() {
    return ImmutableBehaviour.builder();
  }
}
