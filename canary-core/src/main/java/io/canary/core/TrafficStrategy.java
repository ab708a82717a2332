package io.canary.core;

import java.util.List;

/**
 * How traffic is split between the stable and the canary revision. The type is open: each
 * {@link io.canary.core.spi.TrafficRouter} module defines the strategy types it drives and offers
 * builders for them (Istio's VirtualService over DestinationRule subsets, for example), and its
 * {@code validate} refuses a strategy it does not know. Core only asks what every strategy can say
 * about itself.
 */
public interface TrafficStrategy {
  /** A short name for people, shown in the status tree, for example {@code subsets}. */
  String kind();

  /**
   * Every problem with the strategy's own fields, without reading a cluster. Each problem's
   * {@code where} is relative to the strategy ({@code virtualServices[0].name}); the spec's validation
   * reports it under {@code traffic.}.
   */
  default List<Problem> validate() {
    return List.of();
  }

  /**
   * The strategy as canonical text: equal strategies give equal text in every process and every
   * library version, since it is part of the release's fingerprint (a runner resumes a stored status
   * only when the fingerprints match). Build it from the fields explicitly, never from {@code toString()}.
   */
  String canonicalForm();

  /** The routing objects the strategy names, one line each, for people (the status tree). */
  default List<String> describeObjects() {
    return List.of();
  }
}
