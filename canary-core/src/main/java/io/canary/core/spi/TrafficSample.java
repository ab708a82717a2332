package io.canary.core.spi;

/**
 * Request figures of one revision over a window.
 *
 * @param requests requests served
 * @param errors requests that failed (5xx)
 * @param latencyP99Millis 99th percentile latency in milliseconds, {@code NaN} when unknown
 */
public record TrafficSample(long requests, long errors, double latencyP99Millis) {
  public static final TrafficSample EMPTY = new TrafficSample(0, 0, Double.NaN);

  /** Share of requests that succeeded, {@code NaN} with no requests. */
  public double successRate() {
    return requests == 0 ? Double.NaN : (double) (requests - errors) / requests;
  }
}
