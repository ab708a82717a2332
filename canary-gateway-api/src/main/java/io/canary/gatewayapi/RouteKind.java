package io.canary.gatewayapi;

/** The route kinds of {@code gateway.networking.k8s.io/v1} a rollout can drive. */
public enum RouteKind {
  HTTP_ROUTE("HTTPRoute", "httproutes"),
  GRPC_ROUTE("GRPCRoute", "grpcroutes");

  /** The API group of every route kind, and the default group of a parentRef. */
  public static final String GROUP = "gateway.networking.k8s.io";
  /** The version the router reads and writes routes at (served by every Gateway API release since v1.0). */
  public static final String VERSION = "v1";

  private final String kind;
  private final String plural;

  RouteKind(String kind, String plural) {
    this.kind = kind;
    this.plural = plural;
  }

  /** {@code HTTPRoute} or {@code GRPCRoute}. */
  public String kind() {
    return kind;
  }

  /** {@code httproutes} or {@code grpcroutes}. */
  public String plural() {
    return plural;
  }
}
