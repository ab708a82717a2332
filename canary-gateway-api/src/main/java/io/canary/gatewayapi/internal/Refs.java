package io.canary.gatewayapi.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.canary.gatewayapi.RouteKind;
import java.util.Objects;

/**
 * Compares references the way the API server means them: it defaults {@code group} and {@code kind}
 * of parentRefs ({@code gateway.networking.k8s.io}, {@code Gateway}) and backendRefs ({@code ""},
 * {@code Service}), and an absent {@code namespace} is the route's own. A route read back from a real
 * server carries the defaults; one written by hand may not: both name the same object.
 */
final class Refs {
  private Refs() {}

  /** The parts of a reference that name the object it points at, defaults filled in. */
  private record Target(String group, String kind, String namespace, String name, String sectionName, int port) {}

  private static Target backend(JsonNode ref, String routeNamespace) {
    return new Target(Json.text(ref, "group", ""), Json.text(ref, "kind", "Service"), Json.text(ref, "namespace", routeNamespace),
        Json.text(ref, "name", ""), "", ref.path("port").asInt(0));
  }

  private static Target parent(JsonNode ref, String routeNamespace) {
    return new Target(Json.text(ref, "group", RouteKind.GROUP), Json.text(ref, "kind", "Gateway"),
        Json.text(ref, "namespace", routeNamespace), Json.text(ref, "name", ""), Json.text(ref, "sectionName", ""),
        ref.path("port").asInt(0));
  }

  /** True when the backendRef {@code ref}, written in a route of {@code routeNamespace}, names Service {@code namespace/service}. */
  static boolean namesService(JsonNode ref, String routeNamespace, String namespace, String service) {
    Target t = backend(ref, routeNamespace);
    return t.group().isEmpty() && t.kind().equals("Service") && t.namespace().equals(namespace) && t.name().equals(service);
  }

  /** The namespace a backendRef points into. */
  static String backendNamespace(JsonNode ref, String routeNamespace) {
    return backend(ref, routeNamespace).namespace();
  }

  /** True when two parentRefs name the same parent (and the same section and port of it). */
  static boolean sameParent(JsonNode a, JsonNode b, String routeNamespace) {
    return Objects.equals(parent(a, routeNamespace), parent(b, routeNamespace));
  }

  /** {@code Service nsa/appa-stable port 80}, or {@code ConfigMap example.com/nsa/x} for another kind. */
  static String describeBackend(JsonNode ref, String routeNamespace) {
    return describe(backend(ref, routeNamespace), "");
  }

  /** {@code Gateway nsa/public (sectionName http)}, {@code Service nsa/appa port 80}. */
  static String describeParent(JsonNode ref, String routeNamespace) {
    return describe(parent(ref, routeNamespace), RouteKind.GROUP);
  }

  private static String describe(Target t, String usualGroup) {
    String group = t.group().equals(usualGroup) || t.group().isEmpty() ? "" : t.group() + "/";
    String section = t.sectionName().isEmpty() ? "" : " (sectionName " + t.sectionName() + ")";
    String port = t.port() == 0 ? "" : " port " + t.port();
    return t.kind() + " " + group + t.namespace() + "/" + t.name() + section + port;
  }
}
