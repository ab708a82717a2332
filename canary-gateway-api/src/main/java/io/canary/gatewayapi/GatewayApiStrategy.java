package io.canary.gatewayapi;

import io.canary.core.Names;
import io.canary.core.Problem;
import io.canary.core.TrafficStrategy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.immutables.value.Value;

/**
 * A stable and a canary Service, whose selectors get each revision's pod labels added, weighed by the
 * {@code backendRefs} of one rule of each route: several routes (an HTTPRoute and a GRPCRoute of the
 * same release, say) move together.
 *
 * <pre>{@code
 * .traffic(GatewayApiStrategy.services("appa-stable", "appa-canary", RouteRef.http("appa", "api")))
 * .traffic(GatewayApiStrategy.builder().stableService("appa-stable").canaryService("appa-canary")
 *     .addRoutes(RouteRef.http("appa", "api"), RouteRef.grpc("appa-grpc", 0))
 *     .confirmation(ConfirmationPolicy.WARN).build())
 * }</pre>
 */
@Value.Immutable
public abstract class GatewayApiStrategy implements TrafficStrategy {
  /** The largest rule index a route can have: the API allows 16 rules per route. */
  static final int MAX_RULES = 16;

  public abstract String stableService();

  public abstract String canaryService();

  /** The routes whose rules the rollout weighs. */
  public abstract List<RouteRef> routes();

  /** Whether weights wait for the routes' status; empty: the router's default (require, unless built otherwise). */
  public abstract Optional<ConfirmationPolicy> confirmation();

  public static ImmutableGatewayApiStrategy.Builder builder() {
    return ImmutableGatewayApiStrategy.builder();
  }

  public static GatewayApiStrategy services(String stableService, String canaryService, RouteRef... routes) {
    return builder().stableService(stableService).canaryService(canaryService).addRoutes(routes).build();
  }

  @Override
  public String kind() {
    return "gateway-api";
  }

  @Override
  public List<Problem> validate() {
    List<Problem> p = new ArrayList<>();
    String[][] services = {{"stableService", stableService()}, {"canaryService", canaryService()}};
    for (String[] service : services) {
      Names.checkLabel(p, service[0], service[1]);
    }
    if (canaryService().equals(stableService())) {
      p.add(Problem.of("canaryService", "must differ from stableService ('" + stableService() + "')"));
    }
    if (routes().isEmpty()) {
      p.add(Problem.of("routes", "name at least one HTTPRoute or GRPCRoute whose rule the rollout weighs"));
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < routes().size(); i++) {
      RouteRef route = routes().get(i);
      String where = "routes[" + i + "]";
      Names.checkSubdomain(p, where + ".name", route.name());
      route.namespace().ifPresent(ns -> Names.checkLabel(p, where + ".namespace", ns));
      route.rule().ifPresent(rule -> Names.checkSubdomain(p, where + ".rule", rule));
      route.ruleIndex().filter(index -> index < 0 || index >= MAX_RULES).ifPresent(index ->
          p.add(Problem.of(where + ".ruleIndex", "must be within 0.." + (MAX_RULES - 1) + " (a route has at most "
              + MAX_RULES + " rules), was " + index)));
      if (route.rule().isPresent() && route.ruleIndex().isPresent()) {
        p.add(Problem.of(where, "names its rule both by name ('" + route.rule().get() + "') and by index ("
            + route.ruleIndex().get() + "): give one of them"));
      }
      if (!seen.add(route.kind().kind() + " " + route.namespace().orElse("") + "/" + route.name())) {
        p.add(Problem.of(where, route.kind().kind() + " '" + route.name() + "' is named twice; the rollout weighs one rule per route"));
      }
    }
    return p;
  }

  @Override
  public String canonicalForm() {
    return "gateway-api-services(stableService=" + stableService() + " canaryService=" + canaryService()
        + " routes=" + routes().stream().map(r -> r.kind().kind() + ":" + r.namespace().orElse("") + "/" + r.name()
            + "{rule=" + r.rule().orElse("") + " index=" + r.ruleIndex().map(String::valueOf).orElse("") + "}")
            .collect(Collectors.joining(";"))
        + confirmation().map(c -> " confirmation=" + c.name()).orElse("") + ")";
  }

  @Override
  public List<String> describeObjects() {
    return routes().stream()
        .map(r -> r.kind().kind() + " " + r.namespace().map(ns -> ns + "/").orElse("") + r.name() + " (" + r.describeRule() + ")")
        .toList();
  }
}
