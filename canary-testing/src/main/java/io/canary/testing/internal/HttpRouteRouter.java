package io.canary.testing.internal;

import io.canary.core.StringMatch;
import io.canary.testing.internal.GatewayApiController.ParentId;
import io.canary.testing.internal.Router.Routing;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPQueryParamMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestMirrorFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Routes a request by the HTTPRoutes a Gateway API implementation has programmed into the request's
 * parent: the Gateway it enters through (hostnames matched), or, for mesh traffic, the Service it is
 * for (GAMMA). Of every match of every rule that holds, the most specific wins, as the API orders
 * them: an exact path, then the longest path prefix, then a method, then the most header matches,
 * then the most query matches; ties go to the first route (by namespace and name) and the first rule.
 */
record HttpRouteRouter(GatewayApiController implementation, Router router) {
  private static final String METHOD = "GET";

  private record Candidate(HTTPRoute route, HTTPRouteRule rule, int[] rank) {}

  /** Empty when no HTTPRoute is programmed for the request's parent: other routing applies. */
  Optional<Routing> route(String namespace, String host, String gateway, String uri, Map<String, String> headers) {
    ParentId parent;
    if (gateway != null) {
      int slash = gateway.indexOf('/');
      parent = new ParentId("Gateway", gateway.substring(0, slash), gateway.substring(slash + 1));
    } else {
      Optional<Service> service = router.service(host, namespace);
      if (service.isEmpty()) {
        return Optional.empty();
      }
      parent = new ParentId("Service", service.get().getMetadata().getNamespace(), service.get().getMetadata().getName());
    }
    List<HTTPRoute> routes = implementation.programmedFor(parent).stream()
        .filter(r -> gateway == null || hostnameMatches(r.getSpec().getHostnames(), host)).toList();
    if (routes.isEmpty()) {
      return Optional.empty();
    }
    Candidate best = null;
    for (HTTPRoute route : routes) {
      for (HTTPRouteRule rule : orEmpty(route.getSpec().getRules())) {
        List<HTTPRouteMatch> matches = rule.getMatches() == null || rule.getMatches().isEmpty()
            ? List.of(new HTTPRouteMatch()) : rule.getMatches();
        for (HTTPRouteMatch match : matches) {
          Optional<int[]> rank = rank(match, uri, headers);
          if (rank.isPresent() && (best == null || compare(rank.get(), best.rank()) > 0)) {
            best = new Candidate(route, rule, rank.get());
          }
        }
      }
    }
    if (best == null) {
      return Optional.of(new Routing(Map.of(), Map.of(), 0, 1));
    }
    return Optional.of(send(best.route().getMetadata().getNamespace(), best.rule()));
  }

  private Routing send(String routeNamespace, HTTPRouteRule rule) {
    Map<String, Double> served = new HashMap<>();
    Map<String, Double> mirrored = new HashMap<>();
    double[] lost = new double[2];
    List<HTTPBackendRef> refs = orEmpty(rule.getBackendRefs());
    int total = refs.stream().mapToInt(r -> Math.max(0, BackendTarget.of(r, routeNamespace).weight())).sum();
    if (total == 0) {
      return new Routing(served, mirrored, 1, 0); // no backend with weight: the implementation answers 500
    }
    for (HTTPBackendRef ref : refs) {
      BackendTarget backend = BackendTarget.of(ref, routeNamespace);
      double share = (double) Math.max(0, backend.weight()) / total;
      if (share > 0) {
        toService(backend, share, served, lost);
      }
    }
    for (HTTPRouteFilter filter : orEmpty(rule.getFilters())) {
      HTTPRequestMirrorFilter mirror = filter.getRequestMirror();
      if ("RequestMirror".equals(filter.getType()) && mirror != null && mirror.getBackendRef() != null) {
        toService(BackendTarget.of(mirror.getBackendRef(), routeNamespace), mirrorShare(mirror), mirrored, new double[2]);
      }
    }
    return new Routing(served, mirrored, lost[0], lost[1]);
  }

  private void toService(BackendTarget backend, double share, Map<String, Double> into, double[] lost) {
    Optional<Service> service = backend.isService() ? router.service(backend.name() + "." + backend.namespace(), backend.namespace())
        : Optional.empty();
    if (service.isEmpty()) {
      lost[0] += share; // a backend that does not resolve: 500
      return;
    }
    router.spread(service.get(), Map.of(), share, into, lost);
  }

  private static double mirrorShare(HTTPRequestMirrorFilter mirror) {
    if (mirror.getPercent() != null) {
      return mirror.getPercent() / 100.0;
    }
    if (mirror.getFraction() != null && mirror.getFraction().getNumerator() != null) {
      int denominator = mirror.getFraction().getDenominator() == null ? 100 : mirror.getFraction().getDenominator();
      return (double) mirror.getFraction().getNumerator() / denominator;
    }
    return 1;
  }

  /** How specific a match that holds is (higher wins), or empty when it does not hold. */
  private static Optional<int[]> rank(HTTPRouteMatch match, String uri, Map<String, String> headers) {
    int query = uri.indexOf('?');
    String path = query < 0 ? uri : uri.substring(0, query);
    Map<String, String> params = query < 0 ? Map.of() : queryParams(uri.substring(query + 1));
    HTTPPathMatch pathMatch = match.getPath();
    String type = pathMatch == null || pathMatch.getType() == null ? "PathPrefix" : pathMatch.getType();
    String value = pathMatch == null || pathMatch.getValue() == null ? "/" : pathMatch.getValue();
    int pathRank;
    switch (type) {
      case "Exact" -> pathRank = path.equals(value) ? 3_000_000 : -1;
      case "PathPrefix" -> pathRank = prefixMatches(value, path) ? 1_000_000 + value.length() : -1;
      default -> pathRank = StringMatch.regex(value).matches(path) ? 0 : -1;
    }
    if (pathRank < 0 || (match.getMethod() != null && !match.getMethod().equals(METHOD))) {
      return Optional.empty();
    }
    for (HTTPHeaderMatch header : orEmpty(match.getHeaders())) {
      if (!valueMatches(header.getType(), header.getValue(), headers.get(header.getName().toLowerCase(Locale.ROOT)))) {
        return Optional.empty();
      }
    }
    for (HTTPQueryParamMatch param : orEmpty(match.getQueryParams())) {
      if (!valueMatches(param.getType(), param.getValue(), params.get(param.getName()))) {
        return Optional.empty();
      }
    }
    return Optional.of(new int[] {pathRank, match.getMethod() == null ? 0 : 1, orEmpty(match.getHeaders()).size(),
        orEmpty(match.getQueryParams()).size()});
  }

  private static int compare(int[] a, int[] b) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        return Integer.compare(a[i], b[i]);
      }
    }
    return 0;
  }

  /** Gateway API prefixes match whole path elements: {@code /api} matches {@code /api/x}, not {@code /apix}. */
  private static boolean prefixMatches(String prefix, String path) {
    String trimmed = prefix.length() > 1 && prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    return trimmed.equals("/") || path.equals(trimmed) || path.startsWith(trimmed + "/");
  }

  private static boolean valueMatches(String type, String expected, String actual) {
    if (actual == null) {
      return false;
    }
    return "RegularExpression".equals(type) ? StringMatch.regex(expected).matches(actual) : expected.equals(actual);
  }

  private static Map<String, String> queryParams(String query) {
    Map<String, String> out = new HashMap<>();
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      out.putIfAbsent(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
    }
    return out;
  }

  private static boolean hostnameMatches(List<String> hostnames, String host) {
    if (hostnames == null || hostnames.isEmpty()) {
      return true;
    }
    return hostnames.stream().anyMatch(h -> h.equals(host) || (h.startsWith("*.") && host.endsWith(h.substring(1))));
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
