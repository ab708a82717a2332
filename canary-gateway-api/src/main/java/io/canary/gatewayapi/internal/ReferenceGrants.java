package io.canary.gatewayapi.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canary.gatewayapi.RouteKind;
import java.util.List;

/**
 * Whether a ReferenceGrant lets a route of one namespace point at a Service of another: one in the
 * Service's namespace, from the route's group, kind and namespace, to Services (all, or that one).
 */
final class ReferenceGrants {
  private ReferenceGrants() {}

  static boolean allows(List<ObjectNode> grantsInServiceNamespace, RouteKey route, String service) {
    for (ObjectNode grant : grantsInServiceNamespace) {
      JsonNode spec = grant.path("spec");
      boolean from = Json.objects(spec, "from").stream().anyMatch(f -> Json.text(f, "group", "").equals(RouteKind.GROUP)
          && Json.text(f, "kind", "").equals(route.kind().kind()) && Json.text(f, "namespace", "").equals(route.namespace()));
      boolean to = Json.objects(spec, "to").stream().anyMatch(t -> Json.text(t, "group", "").isEmpty()
          && Json.text(t, "kind", "").equals("Service") && Json.text(t, "name").map(service::equals).orElse(true));
      if (from && to) {
        return true;
      }
    }
    return false;
  }

  /** What the user would create. */
  static String example(RouteKey route, String serviceNamespace, String service) {
    return "a ReferenceGrant in namespace " + serviceNamespace + " with from {group: " + RouteKind.GROUP + ", kind: "
        + route.kind().kind() + ", namespace: " + route.namespace() + "} and to {group: \"\", kind: Service, name: " + service + "}";
  }
}
