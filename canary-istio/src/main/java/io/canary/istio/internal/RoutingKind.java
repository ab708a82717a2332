package io.canary.istio.internal;

import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.stream.Collectors;

/** The kinds of object the router reads and writes, with the API versions each may be served at. */
public enum RoutingKind {
  VIRTUAL_SERVICE(
      "VirtualService",
      io.fabric8.istio.api.networking.v1.VirtualService.class,
      io.fabric8.istio.api.networking.v1beta1.VirtualService.class,
      io.fabric8.istio.api.networking.v1alpha3.VirtualService.class),
  DESTINATION_RULE(
      "DestinationRule",
      io.fabric8.istio.api.networking.v1.DestinationRule.class,
      io.fabric8.istio.api.networking.v1beta1.DestinationRule.class,
      io.fabric8.istio.api.networking.v1alpha3.DestinationRule.class),
  SERVICE("Service", Service.class);

  private final String kind;
  private final List<ResourceDefinitionContext> versions;

  @SafeVarargs
  RoutingKind(String kind, Class<? extends KubernetesResource>... servedAt) {
    this.kind = kind;
    this.versions = java.util.Arrays.stream(servedAt).map(ResourceDefinitionContext::fromResourceType).toList();
  }

  public String kind() {
    return kind;
  }

  /** Newest first: a real API server serves every version, and the newest is the one to prefer. */
  List<ResourceDefinitionContext> versions() {
    return versions;
  }

  String describeVersions() {
    return versions.stream().map(RoutingKind::apiVersionOf).collect(Collectors.joining(", "));
  }

  static String apiVersionOf(ResourceDefinitionContext version) {
    String group = version.getGroup();
    return group == null || group.isEmpty() ? version.getVersion() : group + "/" + version.getVersion();
  }
}
