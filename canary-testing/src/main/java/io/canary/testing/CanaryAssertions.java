package io.canary.testing;

import io.canary.core.RolloutStatus;

/** AssertJ entry points for rollouts, VirtualServices and timelines. */
public final class CanaryAssertions {
  private CanaryAssertions() {}

  public static RolloutStatusAssert assertThat(RolloutStatus status) {
    return new RolloutStatusAssert(status);
  }

  public static RolloutHistoryAssert assertThat(RolloutHistory history) {
    return new RolloutHistoryAssert(history);
  }

  public static TimelineAssert assertThat(Timeline timeline) {
    return new TimelineAssert(timeline);
  }

  public static VirtualServiceAssert assertThat(io.fabric8.istio.api.networking.v1.VirtualService vs) {
    return new VirtualServiceAssert(vs == null ? null : vs.getMetadata(), vs == null ? null : vs.getSpec());
  }

  public static VirtualServiceAssert assertThat(io.fabric8.istio.api.networking.v1beta1.VirtualService vs) {
    return new VirtualServiceAssert(vs == null ? null : vs.getMetadata(), vs == null ? null : vs.getSpec());
  }

  public static VirtualServiceAssert assertThat(io.fabric8.istio.api.networking.v1alpha3.VirtualService vs) {
    return new VirtualServiceAssert(vs == null ? null : vs.getMetadata(), vs == null ? null : vs.getSpec());
  }

  /** The VirtualService as the simulated API server holds it (at any API version). */
  public static VirtualServiceAssert assertThatVirtualService(SimulatedCluster sim, String namespace, String name) {
    io.fabric8.istio.api.networking.v1.VirtualService vs = sim.virtualService(namespace, name)
        .orElseThrow(() -> new AssertionError("Expected a VirtualService " + namespace + "/" + name
            + " in the simulated cluster but there is none"));
    return assertThat(vs);
  }
}
