package io.canary.spec.internal;

import io.canary.core.TrafficStrategy;
import io.canary.gatewayapi.ConfirmationPolicy;
import io.canary.gatewayapi.GatewayApiStrategy;
import io.canary.gatewayapi.RouteKind;
import io.canary.gatewayapi.RouteRef;
import io.canary.istio.ServiceStrategy;
import io.canary.istio.SubsetStrategy;
import io.canary.istio.TlsRoute;
import io.canary.istio.VirtualServiceRef;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads {@code traffic}: Istio's subsets or services over VirtualServices, or Gateway API routes. */
final class TrafficReader {
  static final Map<String, RouteKind> ROUTE_KINDS = Map.of("HTTPRoute", RouteKind.HTTP_ROUTE, "GRPCRoute", RouteKind.GRPC_ROUTE);
  static final Map<String, ConfirmationPolicy> CONFIRMATIONS = Map.of("require", ConfirmationPolicy.REQUIRE,
      "warn", ConfirmationPolicy.WARN, "off", ConfirmationPolicy.OFF);

  private final Problems problems;

  TrafficReader(Problems problems) {
    this.problems = problems;
  }

  Optional<TrafficStrategy> read(Obj o) {
    return o.oneOf("traffic strategy").flatMap(kind -> kind.equals("istio")
        ? o.obj(kind, "Istio").flatMap(this::istio)
        : o.obj(kind, "GatewayApi").flatMap(this::gatewayApi));
  }

  private Optional<TrafficStrategy> istio(Obj o) {
    o.require("virtualServices", "the VirtualServices whose routes the rollout weighs");
    List<VirtualServiceRef> vs = o.list("virtualServices", n -> Obj.of(n, "VirtualService", problems).flatMap(this::virtualService));
    boolean subsets = o.has("subsets");
    if (subsets == o.has("services")) {
      problems.at(o.node(), "give exactly one of subsets (one Service, DestinationRule subsets) or services (a stable and a canary Service)");
      return Optional.empty();
    }
    if (subsets) {
      return o.obj("subsets", "IstioSubsets").flatMap(s -> {
        var b = SubsetStrategy.builder().addAllVirtualServices(vs);
        Optional<String> service = s.requireString("service", "the Service the route destinations name");
        Optional<String> rule = s.requireString("destinationRule", "the DestinationRule with the subsets");
        s.string("stableSubset").ifPresent(b::stableSubset);
        s.string("canarySubset").ifPresent(b::canarySubset);
        return service.isEmpty() || rule.isEmpty() ? Optional.empty()
            : Optional.of(b.service(service.get()).destinationRule(rule.get()).build());
      });
    }
    return o.obj("services", "IstioServices").flatMap(s -> {
      Optional<String> stable = s.requireString("stableService", "the Service of the stable revision");
      Optional<String> canary = s.requireString("canaryService", "the Service of the canary revision");
      return stable.isEmpty() || canary.isEmpty() ? Optional.empty() : Optional.of(ServiceStrategy.builder()
          .stableService(stable.get()).canaryService(canary.get()).addAllVirtualServices(vs).build());
    });
  }

  private Optional<VirtualServiceRef> virtualService(Obj o) {
    var b = VirtualServiceRef.builder();
    Optional<String> name = o.requireString("name", "the VirtualService's name");
    o.string("namespace").ifPresent(b::namespace);
    b.addAllHttpRoutes(o.list("httpRoutes", n -> Obj.text(n, problems)));
    b.addAllTlsRoutes(o.list("tlsRoutes", n -> Obj.of(n, "TlsRoute", problems).flatMap(t -> {
      Optional<Integer> port = t.require("port", "the tls route's port").flatMap(p -> t.integer("port"));
      List<String> hosts = t.list("sniHosts", h -> Obj.text(h, problems));
      return port.map(p -> new TlsRoute(p, hosts));
    })));
    b.addAllTcpRoutes(o.list("tcpRoutes", n -> Obj.integer(n, problems)));
    return name.map(n -> b.name(n).build());
  }

  private Optional<TrafficStrategy> gatewayApi(Obj o) {
    var b = GatewayApiStrategy.builder();
    Optional<String> stable = o.requireString("stableService", "the Service of the stable revision");
    Optional<String> canary = o.requireString("canaryService", "the Service of the canary revision");
    o.choice("confirmation", CONFIRMATIONS).ifPresent(b::confirmation);
    o.require("routes", "the HTTPRoutes or GRPCRoutes whose rule the rollout weighs");
    b.addAllRoutes(o.list("routes", n -> Obj.of(n, "Route", problems).flatMap(r -> {
      var route = RouteRef.builder();
      r.choice("kind", ROUTE_KINDS).ifPresent(route::kind);
      r.string("namespace").ifPresent(route::namespace);
      r.string("rule").ifPresent(route::rule);
      r.integer("ruleIndex").ifPresent(route::ruleIndex);
      return r.requireString("name", "the route's name").map(name -> route.name(name).build());
    })));
    return stable.isEmpty() || canary.isEmpty() ? Optional.empty()
        : Optional.of(b.stableService(stable.get()).canaryService(canary.get()).build());
  }
}
