package io.canary.testing.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.util.ArrayList;
import java.util.List;

/** A Gateway API backendRef with the API's defaults: group "", kind Service, the route's namespace, weight 1. */
record BackendTarget(String group, String kind, String namespace, String name, int weight) {
  boolean isService() {
    return group.isEmpty() && kind.equals("Service");
  }

  static BackendTarget of(HTTPBackendRef ref, String routeNamespace) {
    return of(ref.getGroup(), ref.getKind(), ref.getNamespace(), ref.getName(), ref.getWeight(), routeNamespace);
  }

  static BackendTarget of(BackendObjectReference ref, String routeNamespace) {
    return of(ref.getGroup(), ref.getKind(), ref.getNamespace(), ref.getName(), 1, routeNamespace);
  }

  private static BackendTarget of(String group, String kind, String namespace, String name, Integer weight, String routeNamespace) {
    return new BackendTarget(group == null ? "" : group, kind == null ? "Service" : kind,
        namespace == null ? routeNamespace : namespace, name, weight == null ? 1 : weight);
  }

  /** Every backendRef of every rule of an HTTPRoute or a GRPCRoute. */
  static List<BackendTarget> all(HasMetadata route, String routeNamespace) {
    List<BackendTarget> out = new ArrayList<>();
    if (route instanceof HTTPRoute http && http.getSpec() != null && http.getSpec().getRules() != null) {
      for (HTTPRouteRule rule : http.getSpec().getRules()) {
        for (HTTPBackendRef ref : rule.getBackendRefs() == null ? List.<HTTPBackendRef>of() : rule.getBackendRefs()) {
          out.add(of(ref, routeNamespace));
        }
      }
    } else if (route instanceof GRPCRoute grpc && grpc.getSpec() != null && grpc.getSpec().getRules() != null) {
      for (GRPCRouteRule rule : grpc.getSpec().getRules()) {
        for (GRPCBackendRef ref : rule.getBackendRefs() == null ? List.<GRPCBackendRef>of() : rule.getBackendRefs()) {
          out.add(of(ref.getGroup(), ref.getKind(), ref.getNamespace(), ref.getName(), ref.getWeight(), routeNamespace));
        }
      }
    }
    return out;
  }
}
