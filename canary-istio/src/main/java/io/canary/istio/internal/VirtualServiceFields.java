package io.canary.istio.internal;

import io.canary.core.CanaryValidationException;
import io.canary.core.HeaderRoute;
import io.canary.core.MirrorRoute;
import io.canary.core.Problem;
import io.canary.core.RouteMatch;
import io.canary.core.StringMatch;
import io.canary.istio.TlsRoute;
import io.canary.istio.VirtualServiceRef;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingState;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A VirtualService: the weights of the stable and canary destinations of each managed route, and the
 * managed header and mirror routes at the head of its http routes.
 */
final class VirtualServiceFields implements OwnedFields {
  private final ObjectRef ref;
  private final VirtualServiceRef routes;
  private final Destinations destinations;
  private final Set<String> managedRouteNames;
  private final boolean addMissingCanary;

  VirtualServiceFields(
      ObjectRef ref, VirtualServiceRef routes, Destinations destinations, Set<String> managedRouteNames, boolean addMissingCanary) {
    this.ref = ref;
    this.routes = routes;
    this.destinations = destinations;
    this.managedRouteNames = managedRouteNames;
    this.addMissingCanary = addMissingCanary;
  }

  /** One route whose weights the rollout owns, with its stable and canary route destinations. */
  record WeightedRoute(String label, boolean http, Map<String, Object> stable, Map<String, Object> canary) {}

  @Override
  public ObjectRef ref() {
    return ref;
  }

  @Override
  public boolean carriesWeights() {
    return true;
  }

  @Override
  public List<Problem> problems(GenericKubernetesResource object) {
    List<Problem> problems = new ArrayList<>();
    locate(Trees.spec(object), problems, false);
    return problems;
  }

  List<RouteWeight> weights(GenericKubernetesResource object) {
    return locateValid(Trees.spec(object), false).stream()
        .map(r -> new RouteWeight(ref.toString(), r.label(), Trees.integer(r.stable(), "weight", 0), Trees.integer(r.canary(), "weight", 0)))
        .toList();
  }

  @Override
  public boolean apply(GenericKubernetesResource object, RoutingState desired) {
    Map<String, Object> spec = Trees.spec(object);
    List<WeightedRoute> weighted = locateValid(spec, true);
    for (WeightedRoute route : weighted) {
      route.stable().put("weight", 100 - desired.canaryWeight());
      route.canary().put("weight", desired.canaryWeight());
    }
    Optional<WeightedRoute> httpRoute = weighted.stream().filter(WeightedRoute::http).findFirst();
    httpRoute.ifPresent(route -> spec.put("http", httpRoutes(spec, route, desired)));
    return false;
  }

  /** Header routes, then mirror routes, then the user's routes in their order. */
  private List<Object> httpRoutes(Map<String, Object> spec, WeightedRoute source, RoutingState desired) {
    Map<String, Object> stable = Trees.map(source.stable().get("destination"));
    Map<String, Object> canary = Trees.map(source.canary().get("destination"));
    List<Object> http = new ArrayList<>();
    for (HeaderRoute header : desired.headerRoutes()) {
      http.add(managedRoute(header.name(), header.matches(), stable, canary, header.canaryWeight()));
    }
    for (MirrorRoute mirror : desired.mirrorRoutes()) {
      Map<String, Object> route = managedRoute(mirror.name(), mirror.matches(), stable, canary, desired.canaryWeight());
      route.put("mirror", Trees.copyMap(canary));
      Map<String, Object> percentage = new LinkedHashMap<>();
      percentage.put("value", mirror.percent());
      route.put("mirrorPercentage", percentage);
      http.add(route);
    }
    for (Object route : Trees.list(spec.get("http"))) {
      if (!isManaged(Trees.map(route), desired)) {
        http.add(route);
      }
    }
    return http;
  }

  private boolean isManaged(Map<String, Object> route, RoutingState desired) {
    String name = Trees.string(route, "name");
    return managedRouteNames.contains(name)
        || desired.headerRoutes().stream().anyMatch(h -> h.name().equals(name))
        || desired.mirrorRoutes().stream().anyMatch(m -> m.name().equals(name));
  }

  private static Map<String, Object> managedRoute(
      String name, List<RouteMatch> matches, Map<String, Object> stable, Map<String, Object> canary, int canaryWeight) {
    Map<String, Object> route = new LinkedHashMap<>();
    route.put("name", name);
    route.put("match", new ArrayList<>(matches.stream().map(VirtualServiceFields::matchRequest).toList()));
    List<Object> destinations = new ArrayList<>();
    destinations.add(routeDestination(stable, 100 - canaryWeight));
    destinations.add(routeDestination(canary, canaryWeight));
    route.put("route", destinations);
    return route;
  }

  private static Map<String, Object> routeDestination(Map<String, Object> destination, int weight) {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("destination", Trees.copyMap(destination));
    entry.put("weight", weight);
    return entry;
  }

  /** Istio's HTTPMatchRequest for {@code match}. */
  private static Map<String, Object> matchRequest(RouteMatch match) {
    Map<String, Object> request = new LinkedHashMap<>();
    if (!match.headers().isEmpty()) {
      Map<String, Object> headers = new LinkedHashMap<>();
      match.headers().forEach((name, value) -> headers.put(name, stringMatch(value)));
      request.put("headers", headers);
    }
    match.uri().ifPresent(uri -> request.put("uri", stringMatch(uri)));
    match.method().ifPresent(method -> request.put("method", stringMatch(method)));
    return request;
  }

  private static Map<String, Object> stringMatch(StringMatch match) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(match.kind().name().toLowerCase(Locale.ROOT), match.value());
    return out;
  }

  /** {@code write}: the tree is the copy about to be written, so a missing canary destination may be added to it. */
  private List<WeightedRoute> locateValid(Map<String, Object> spec, boolean write) {
    List<Problem> problems = new ArrayList<>();
    List<WeightedRoute> found = locate(spec, problems, write);
    if (!problems.isEmpty()) {
      throw new CanaryValidationException(ref.toString(), problems);
    }
    return found;
  }

  private List<WeightedRoute> locate(Map<String, Object> spec, List<Problem> problems, boolean write) {
    List<WeightedRoute> found = new ArrayList<>();
    List<Map<String, Object>> http = Trees.maps(spec, "http");
    if (routes.usesSingleRoute()) {
      List<Map<String, Object>> userRoutes = http.stream().filter(r -> !managedRouteNames.contains(Trees.string(r, "name"))).toList();
      if (userRoutes.size() == 1) {
        weighted("the single http route", true, userRoutes.get(0), problems, write).ifPresent(found::add);
      } else {
        problems.add(Problem.of(ref.toString(), "the rollout names no route in it, so it needs exactly one http route, but it has "
            + userRoutes.size() + " " + routeNames(userRoutes) + ": name the routes to drive in traffic.virtualServices"));
      }
    }
    for (String name : routes.httpRoutes()) {
      String label = "http route '" + name + "'";
      if (managedRouteNames.contains(name)) {
        problems.add(Problem.of(ref.toString(), label + " is also the name of a header or mirror route the rollout manages: rename one of them"));
        continue;
      }
      Optional<Map<String, Object>> route = http.stream().filter(r -> name.equals(Trees.string(r, "name"))).findFirst();
      if (route.isEmpty()) {
        problems.add(Problem.of(ref.toString(), "has no " + label + "; its http routes are " + routeNames(http)));
      } else {
        weighted(label, true, route.get(), problems, write).ifPresent(found::add);
      }
    }
    List<Map<String, Object>> tls = Trees.maps(spec, "tls");
    for (TlsRoute tlsRoute : routes.tlsRoutes()) {
      String label = "tls route (port " + tlsRoute.port() + ", sniHosts " + tlsRoute.sniHosts() + ")";
      Predicate<Map<String, Object>> matches =
          m -> Trees.integer(m, "port", -1) == tlsRoute.port() && Trees.list(m.get("sniHosts")).containsAll(tlsRoute.sniHosts());
      findByMatch(tls, matches, label, "tls", problems).flatMap(r -> weighted(label, false, r, problems, write)).ifPresent(found::add);
    }
    List<Map<String, Object>> tcp = Trees.maps(spec, "tcp");
    for (int port : routes.tcpRoutes()) {
      String label = "tcp route (port " + port + ")";
      Predicate<Map<String, Object>> matches = m -> Trees.integer(m, "port", -1) == port;
      findByMatch(tcp, matches, label, "tcp", problems).flatMap(r -> weighted(label, false, r, problems, write)).ifPresent(found::add);
    }
    return found;
  }

  private Optional<Map<String, Object>> findByMatch(
      List<Map<String, Object>> candidates, Predicate<Map<String, Object>> matches, String label, String protocol, List<Problem> problems) {
    Optional<Map<String, Object>> route = candidates.stream().filter(r -> Trees.maps(r, "match").stream().anyMatch(matches)).findFirst();
    if (route.isEmpty()) {
      List<Object> existing = candidates.stream().map(r -> r.get("match")).toList();
      problems.add(Problem.of(ref.toString(), "has no " + label + "; the matches of its " + protocol + " routes are " + existing));
    }
    return route;
  }

  /** The stable and canary destinations of {@code route}, or the problems that keep the rollout from weighing them. */
  private Optional<WeightedRoute> weighted(
      String label, boolean http, Map<String, Object> route, List<Problem> problems, boolean write) {
    List<Map<String, Object>> entries = Trees.maps(route, "route");
    Map<String, Object> stable = null;
    Map<String, Object> canary = null;
    List<String> others = new ArrayList<>();
    int sum = 0;
    for (Map<String, Object> entry : entries) {
      Map<String, Object> destination = Trees.map(entry.get("destination"));
      int weight = Trees.integer(entry, "weight", entries.size() == 1 ? 100 : 0);
      sum += weight;
      if (stable == null && destinations.isStable(destination, ref.namespace())) {
        stable = entry;
      } else if (canary == null && destinations.isCanary(destination, ref.namespace())) {
        canary = entry;
      } else if (weight > 0) {
        others.add(Destinations.describe(destination) + " (weight " + weight + ")");
      }
    }
    int before = problems.size();
    String where = ref.toString();
    if (stable == null) {
      problems.add(Problem.of(where, label + " has no stable destination " + destinations.describeStable() + "; its destinations are "
          + entries.stream().map(e -> Destinations.describe(Trees.map(e.get("destination")))).toList()
          + ": route to the stable and canary destinations of the rollout's traffic strategy"));
    }
    if (canary == null && stable != null && addMissingCanary) {
      // The user asked the router to add it: a copy of the stable destination, weight 0, after it.
      canary = new LinkedHashMap<>();
      canary.put("destination", destinations.canaryFrom(Trees.map(stable.get("destination"))));
      canary.put("weight", 0);
      if (write) {
        List<Object> withCanary = new ArrayList<>(Trees.list(route.get("route")));
        withCanary.add(withCanary.indexOf(stable) + 1, canary);
        route.put("route", withCanary);
      }
    } else if (canary == null) {
      problems.add(Problem.of(where, label + " has no canary destination " + destinations.describeCanary()
          + ": add " + destinations.canaryExample() + " to its route, or let the router add it"
          + " (IstioTrafficRouter.builder(client).addMissingCanaryDestinations(true))"));
    }
    if (!others.isEmpty()) {
      problems.add(Problem.of(where, label + " also sends traffic to " + others
          + ": the rollout splits the whole route between stable and canary, so set those weights to 0 or move them to another route"));
    }
    if (entries.size() > 1 && sum != 100) {
      problems.add(Problem.of(where, label + " has weights that sum to " + sum + ": Istio needs the weights of a route to sum to 100"));
    }
    return problems.size() == before ? Optional.of(new WeightedRoute(label, http, stable, canary)) : Optional.empty();
  }

  private static String routeNames(List<Map<String, Object>> routes) {
    return routes.stream().map(r -> Optional.ofNullable(Trees.string(r, "name")).map(n -> "'" + n + "'").orElse("(unnamed)")).toList().toString();
  }
}
