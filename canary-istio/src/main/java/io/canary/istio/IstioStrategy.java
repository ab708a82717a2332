package io.canary.istio;

import io.canary.core.Names;
import io.canary.core.Problem;
import io.canary.core.TrafficStrategy;
import io.canary.istio.IstioStrategy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A traffic strategy over Istio VirtualServices: {@link SubsetStrategy} (one Service, two
 * DestinationRule subsets) or {@link ServiceStrategy} (a stable and a canary Service).
 *
 * <pre>{@code
 * .traffic(IstioStrategy.subsets("rollouts-demo-svc", "rollout-destrule",
 *     VirtualServiceRef.of("rollouts-demo-vs2", "route-one")))
 * }</pre>
 */
public interface IstioStrategy extends TrafficStrategy {
  /** The VirtualServices whose weights the rollout owns. */
  List<VirtualServiceRef> virtualServices();

  static SubsetStrategy subsets(String service, String destinationRule, VirtualServiceRef... vs) {
    return SubsetStrategy.builder().service(service).destinationRule(destinationRule).addVirtualServices(vs).build();
  }

  static ServiceStrategy services(String stableService, String canaryService, VirtualServiceRef... vs) {
    return ServiceStrategy.builder().stableService(stableService).canaryService(canaryService).addVirtualServices(vs).build();
  }

  @Override
  default List<String> describeObjects() {
    return virtualServices().stream().map(vs -> "VirtualService " + vs.namespace().map(ns -> ns + "/").orElse("")
        + vs.name()).toList();
  }

  /** Problems of the VirtualService references, shared by both strategies. */
  static List<Problem> validateVirtualServices(List<VirtualServiceRef> virtualServices) {
    List<Problem> p = new ArrayList<>();
    if (virtualServices.isEmpty()) {
      p.add(Problem.of("virtualServices", "name at least one VirtualService whose routes the rollout drives"));
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < virtualServices.size(); i++) {
      VirtualServiceRef vs = virtualServices.get(i);
      String where = "virtualServices[" + i + "]";
      Names.checkSubdomain(p, where + ".name", vs.name());
      vs.namespace().ifPresent(ns -> Names.checkLabel(p, where + ".namespace", ns));
      if (!seen.add(vs.namespace().orElse("") + "/" + vs.name())) {
        p.add(Problem.of(where, "VirtualService '" + vs.name() + "' is named twice; list each once with all its routes"));
      }
      Set<String> routes = new HashSet<>();
      for (String r : vs.httpRoutes()) {
        if (r == null || r.isBlank()) {
          p.add(Problem.of(where + ".httpRoutes", "a route name must not be empty"));
        } else if (!routes.add(r)) {
          p.add(Problem.of(where + ".httpRoutes", "route '" + r + "' is named twice"));
        }
      }
      for (TlsRoute tls : vs.tlsRoutes()) {
        port(p, where + ".tlsRoutes", tls.port());
      }
      for (Integer port : vs.tcpRoutes()) {
        port(p, where + ".tcpRoutes", port);
      }
    }
    return p;
  }

  /** The canonical form of the VirtualService references, for the fingerprint. */
  static String canonicalVirtualServices(List<VirtualServiceRef> virtualServices) {
    return virtualServices.stream().map(vs -> vs.namespace().orElse("") + "/" + vs.name()
            + "{http=" + String.join(",", vs.httpRoutes())
            + " tls=" + vs.tlsRoutes().stream().map(t -> t.port() + ":" + String.join("|", t.sniHosts()))
                .collect(Collectors.joining(","))
            + " tcp=" + vs.tcpRoutes().stream().map(String::valueOf).collect(Collectors.joining(",")) + "}")
        .collect(Collectors.joining(";"));
  }

  private static void port(List<Problem> p, String where, int port) {
    if (port < 1 || port > 65535) {
      p.add(Problem.of(where, "port " + port + " is outside 1..65535"));
    }
  }
}
