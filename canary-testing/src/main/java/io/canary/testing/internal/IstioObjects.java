package io.canary.testing.internal;

import io.fabric8.istio.api.api.networking.v1alpha3.DestinationRule;
import io.fabric8.istio.api.api.networking.v1alpha3.VirtualService;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Istio objects at any API version. The mock server converts nothing, so a VirtualService is read
 * back as the class of the version it was written at; all versions share one spec class.
 */
public final class IstioObjects {
  private IstioObjects() {}

  public static VirtualService virtualServiceSpec(HasMetadata o) {
    if (o instanceof io.fabric8.istio.api.networking.v1.VirtualService v) {
      return v.getSpec();
    }
    if (o instanceof io.fabric8.istio.api.networking.v1beta1.VirtualService v) {
      return v.getSpec();
    }
    if (o instanceof io.fabric8.istio.api.networking.v1alpha3.VirtualService v) {
      return v.getSpec();
    }
    throw new IllegalArgumentException("not a VirtualService: " + o.getApiVersion() + " " + o.getKind());
  }

  public static DestinationRule destinationRuleSpec(HasMetadata o) {
    if (o instanceof io.fabric8.istio.api.networking.v1.DestinationRule d) {
      return d.getSpec();
    }
    if (o instanceof io.fabric8.istio.api.networking.v1beta1.DestinationRule d) {
      return d.getSpec();
    }
    if (o instanceof io.fabric8.istio.api.networking.v1alpha3.DestinationRule d) {
      return d.getSpec();
    }
    throw new IllegalArgumentException("not a DestinationRule: " + o.getApiVersion() + " " + o.getKind());
  }

  /** The same VirtualService as the v1 class (metadata and spec; the version it was written at is dropped). */
  public static io.fabric8.istio.api.networking.v1.VirtualService asV1VirtualService(HasMetadata o) {
    return new io.fabric8.istio.api.networking.v1.VirtualServiceBuilder()
        .withMetadata(o.getMetadata()).withSpec(virtualServiceSpec(o)).build();
  }

  /** The same DestinationRule as the v1 class. */
  public static io.fabric8.istio.api.networking.v1.DestinationRule asV1DestinationRule(HasMetadata o) {
    return new io.fabric8.istio.api.networking.v1.DestinationRuleBuilder()
        .withMetadata(o.getMetadata()).withSpec(destinationRuleSpec(o)).build();
  }
}
