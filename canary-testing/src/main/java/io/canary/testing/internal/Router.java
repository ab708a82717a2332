package io.canary.testing.internal;

import io.canary.core.StringMatch;
import io.canary.testing.internal.ClusterState.Kind;
import io.fabric8.istio.api.api.networking.v1alpha3.Destination;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPMatchRequest;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPMirrorPolicy;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchExact;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchPrefix;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchRegex;
import io.fabric8.istio.api.api.networking.v1alpha3.Subset;
import io.fabric8.istio.api.api.networking.v1alpha3.DestinationRule;
import io.fabric8.istio.api.api.networking.v1alpha3.VirtualService;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Routes a request the way Istio's sidecars and gateways would, from the objects the API server
 * holds: the VirtualService for the host (bound to the flow's gateway, or to the mesh), its http
 * routes in order with the first match winning, weighted destinations, mirrors; a destination is a
 * Service (short name, {@code name.namespace} or FQDN) and an optional DestinationRule subset, and
 * its endpoints are the Ready pods matching the Service selector and the subset labels.
 */
public final class Router {
  /**
   * Where a kind of request goes, as shares of it.
   *
   * @param served share per pod group
   * @param mirrored share copied to each pod group by mirror routes
   * @param unavailable share sent to a destination without a ready pod (503)
   * @param notRouted share no route matched, or whose host is unknown (404)
   */
  public record Routing(Map<String, Double> served, Map<String, Double> mirrored, double unavailable,
      double notRouted) {}

  private final ClusterState state;
  private final PodGroups groups;
  private final HttpRouteRouter httpRoutes;

  public Router(ClusterState state, PodGroups groups, GatewayApiController gatewayApi) {
    this.state = state;
    this.groups = groups;
    this.httpRoutes = new HttpRouteRouter(gatewayApi, this);
  }

  /**
   * Routes a request with {@code headers} (lower-case names) for {@code host} and {@code uri}: by the
   * HTTPRoutes programmed for its Gateway or Service when there are any, else by the VirtualServices.
   */
  public Routing route(String namespace, String host, String gateway, String uri, Map<String, String> headers) {
    Optional<Routing> byHttpRoutes = httpRoutes.route(namespace, host, gateway, uri, headers);
    if (byHttpRoutes.isPresent()) {
      return byHttpRoutes.get();
    }
    Optional<HasMetadata> vs = virtualServiceFor(namespace, host, gateway);
    if (vs.isEmpty()) {
      Map<String, Double> served = new HashMap<>();
      Map<String, Double> none = new HashMap<>();
      double[] lost = new double[2];
      Optional<Service> svc = service(host, namespace);
      if (svc.isEmpty()) {
        return new Routing(Map.of(), Map.of(), 0, 1);
      }
      spread(svc.get(), Map.of(), 1.0, served, lost);
      return new Routing(served, none, lost[0], 0);
    }
    String vsNamespace = vs.get().getMetadata().getNamespace();
    VirtualService spec = IstioObjects.virtualServiceSpec(vs.get());
    List<HTTPRoute> routes = spec.getHttp() == null ? List.of() : spec.getHttp();
    for (HTTPRoute route : routes) {
      if (!matches(route, uri, headers, gateway, vsNamespace)) {
        continue;
      }
      Map<String, Double> served = new HashMap<>();
      Map<String, Double> mirrored = new HashMap<>();
      double[] lost = new double[2];
      List<HTTPRouteDestination> destinations = route.getRoute() == null ? List.of() : route.getRoute();
      int totalWeight = 0;
      for (HTTPRouteDestination d : destinations) {
        totalWeight += weight(d, destinations.size());
      }
      for (HTTPRouteDestination d : destinations) {
        double share = totalWeight == 0 ? 0 : (double) weight(d, destinations.size()) / totalWeight;
        if (share > 0) {
          toDestination(d.getDestination(), vsNamespace, share, served, lost);
        }
      }
      double[] ignored = new double[2];
      if (route.getMirror() != null) {
        double percent = route.getMirrorPercentage() != null && route.getMirrorPercentage().getValue() != null
            ? route.getMirrorPercentage().getValue()
            : route.getMirrorPercent() != null ? route.getMirrorPercent() : 100;
        toDestination(route.getMirror(), vsNamespace, percent / 100, mirrored, ignored);
      }
      if (route.getMirrors() != null) {
        for (HTTPMirrorPolicy m : route.getMirrors()) {
          double percent = m.getPercentage() != null && m.getPercentage().getValue() != null
              ? m.getPercentage().getValue() : 100;
          toDestination(m.getDestination(), vsNamespace, percent / 100, mirrored, ignored);
        }
      }
      return new Routing(served, mirrored, lost[0], lost[1]);
    }
    return new Routing(Map.of(), Map.of(), 0, 1);
  }

  /** Istio: with one destination the weight may be left out; otherwise a missing weight is 0. */
  private static int weight(HTTPRouteDestination d, int destinations) {
    if (d.getWeight() == null) {
      return destinations == 1 ? 100 : 0;
    }
    return d.getWeight();
  }

  private void toDestination(Destination d, String vsNamespace, double share, Map<String, Double> served,
      double[] lost) {
    Optional<Service> svc = service(d.getHost(), vsNamespace);
    if (svc.isEmpty()) {
      lost[0] += share; // no such Service: Envoy answers 503 (no healthy upstream)
      return;
    }
    Map<String, String> subsetLabels = Map.of();
    if (d.getSubset() != null && !d.getSubset().isEmpty()) {
      Optional<Map<String, String>> labels = subsetLabels(svc.get(), vsNamespace, d.getSubset());
      if (labels.isEmpty()) {
        lost[0] += share; // an unknown subset has no endpoints: 503
        return;
      }
      subsetLabels = labels.get();
    }
    spread(svc.get(), subsetLabels, share, served, lost);
  }

  /** Spreads {@code share} evenly over the ready endpoints of the Service (and subset). */
  void spread(Service svc, Map<String, String> subsetLabels, double share, Map<String, Double> served,
      double[] lost) {
    Map<String, String> selector = svc.getSpec().getSelector();
    if (selector == null || selector.isEmpty()) {
      lost[0] += share;
      return;
    }
    Map<String, String> all = new HashMap<>(selector);
    for (Map.Entry<String, String> e : subsetLabels.entrySet()) {
      if (all.containsKey(e.getKey()) && !all.get(e.getKey()).equals(e.getValue())) {
        lost[0] += share; // the subset contradicts the selector: no pod can match both
        return;
      }
      all.put(e.getKey(), e.getValue());
    }
    Map<String, Integer> ready = groups.readyPodsMatching(svc.getMetadata().getNamespace(), all);
    int total = ready.values().stream().mapToInt(Integer::intValue).sum();
    if (total == 0) {
      lost[0] += share;
      return;
    }
    ready.forEach((group, pods) -> served.merge(group, share * pods / total, Double::sum));
  }

  private Optional<Map<String, String>> subsetLabels(Service svc, String vsNamespace, String subset) {
    List<HasMetadata> rules = new ArrayList<>(state.<HasMetadata>all(Kind.DESTINATION_RULE));
    // Istio prefers the rule in the client's namespace, then the Service's.
    rules.sort(Comparator.comparing((HasMetadata r) -> !r.getMetadata().getNamespace().equals(vsNamespace))
        .thenComparing(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName()));
    for (HasMetadata r : rules) {
      DestinationRule spec = IstioObjects.destinationRuleSpec(r);
      if (spec == null || spec.getHost() == null) {
        continue;
      }
      Optional<Service> target = service(spec.getHost(), r.getMetadata().getNamespace());
      if (target.isEmpty() || !sameObject(target.get(), svc) || spec.getSubsets() == null) {
        continue;
      }
      for (Subset s : spec.getSubsets()) {
        if (subset.equals(s.getName())) {
          return Optional.of(s.getLabels() == null ? Map.of() : s.getLabels());
        }
      }
    }
    return Optional.empty();
  }

  /** The Service a host names, seen from {@code namespace}: short name, {@code name.ns}, or FQDN. */
  public Optional<Service> service(String host, String namespace) {
    String[] parts = host.split("\\.");
    if (parts.length == 1) {
      return state.get(Kind.SERVICE, namespace, host);
    }
    boolean clusterName = parts.length == 2 || (parts.length >= 3 && parts[2].equals("svc"));
    return clusterName ? state.get(Kind.SERVICE, parts[1], parts[0]) : Optional.empty();
  }

  private static boolean sameObject(Service a, Service b) {
    return a.getMetadata().getNamespace().equals(b.getMetadata().getNamespace())
        && a.getMetadata().getName().equals(b.getMetadata().getName());
  }

  private Optional<HasMetadata> virtualServiceFor(String namespace, String host, String gateway) {
    List<HasMetadata> all = new ArrayList<>(state.<HasMetadata>all(Kind.VIRTUAL_SERVICE));
    all.sort(Comparator.comparing(v -> v.getMetadata().getNamespace() + "/" + v.getMetadata().getName()));
    Optional<Service> requested = service(host, namespace);
    for (HasMetadata vs : all) {
      VirtualService spec = IstioObjects.virtualServiceSpec(vs);
      if (spec == null || spec.getHosts() == null) {
        continue;
      }
      if (!boundTo(spec.getGateways(), gateway, vs.getMetadata().getNamespace())) {
        continue;
      }
      for (String h : spec.getHosts()) {
        if (hostMatches(h, host, requested, vs.getMetadata().getNamespace())) {
          return Optional.of(vs);
        }
      }
    }
    return Optional.empty();
  }

  private boolean hostMatches(String vsHost, String host, Optional<Service> requested, String vsNamespace) {
    if (vsHost.equals("*") || vsHost.equals(host)) {
      return true;
    }
    if (vsHost.startsWith("*.") && host.endsWith(vsHost.substring(1))) {
      return true;
    }
    Optional<Service> named = service(vsHost, vsNamespace);
    return requested.isPresent() && named.isPresent() && sameObject(requested.get(), named.get());
  }

  /** No gateways means the mesh only; {@code mesh} in the list means the mesh too. */
  private static boolean boundTo(List<String> gateways, String gateway, String vsNamespace) {
    if (gateways == null || gateways.isEmpty()) {
      return gateway == null;
    }
    for (String g : gateways) {
      if (gateway == null ? g.equals("mesh") : qualified(g, vsNamespace).equals(gateway)) {
        return true;
      }
    }
    return false;
  }

  private static String qualified(String gateway, String namespace) {
    return gateway.contains("/") ? gateway : namespace + "/" + gateway;
  }

  private static boolean matches(HTTPRoute route, String uri, Map<String, String> headers, String gateway,
      String vsNamespace) {
    if (route.getMatch() == null || route.getMatch().isEmpty()) {
      return true;
    }
    for (HTTPMatchRequest m : route.getMatch()) {
      if (matches(m, uri, headers, gateway, vsNamespace)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(HTTPMatchRequest m, String uri, Map<String, String> headers, String gateway,
      String vsNamespace) {
    if (m.getUri() != null && !toCore(m.getUri()).matches(uri)) {
      return false;
    }
    if (m.getGateways() != null && !m.getGateways().isEmpty()
        && !boundTo(m.getGateways(), gateway, vsNamespace)) {
      return false;
    }
    if (m.getHeaders() != null) {
      for (Map.Entry<String, io.fabric8.istio.api.api.networking.v1alpha3.StringMatch> h : m.getHeaders().entrySet()) {
        String value = headers.get(h.getKey().toLowerCase(java.util.Locale.ROOT));
        if (value == null || !toCore(h.getValue()).matches(value)) {
          return false;
        }
      }
    }
    if (m.getWithoutHeaders() != null) {
      for (Map.Entry<String, io.fabric8.istio.api.api.networking.v1alpha3.StringMatch> h
          : m.getWithoutHeaders().entrySet()) {
        String value = headers.get(h.getKey().toLowerCase(java.util.Locale.ROOT));
        if (value != null && toCore(h.getValue()).matches(value)) {
          return false;
        }
      }
    }
    return true;
  }

  private static StringMatch toCore(io.fabric8.istio.api.api.networking.v1alpha3.StringMatch m) {
    Object t = m.getMatchType();
    if (t instanceof StringMatchExact e) {
      return StringMatch.exact(e.getExact());
    }
    if (t instanceof StringMatchPrefix p) {
      return StringMatch.prefix(p.getPrefix());
    }
    if (t instanceof StringMatchRegex r) {
      return StringMatch.regex(r.getRegex());
    }
    // An empty StringMatch matches any value that is present, as in Envoy's present_match.
    return StringMatch.regex(".*");
  }
}
