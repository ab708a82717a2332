package io.canary.testing;

/**
 * What the users of one flow saw over a window.
 *
 * @param requests requests sent
 * @param errors requests answered with a 5xx, including {@code unavailable}
 * @param unavailable requests routed to a destination with no ready pod (503)
 * @param notRouted requests no route matched (404)
 * @param mirrored copies sent by mirror routes (not seen by users, not in {@code requests})
 */
public record FlowStats(long requests, long errors, long unavailable, long notRouted, long mirrored) {
  public static final FlowStats EMPTY = new FlowStats(0, 0, 0, 0, 0);

  FlowStats plus(FlowStats o) {
    return new FlowStats(requests + o.requests, errors + o.errors, unavailable + o.unavailable,
        notRouted + o.notRouted, mirrored + o.mirrored);
  }

  /** Share of requests that failed, {@code NaN} with no requests. */
  public double errorRate() {
    return requests == 0 ? Double.NaN : (double) errors / requests;
  }
}
