package io.canary.gatewayapi.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canary.core.CanaryValidationException;
import io.canary.core.HeaderRoute;
import io.canary.core.MirrorRoute;
import io.canary.core.Problem;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingState;
import io.canary.gatewayapi.RouteKind;
import io.canary.gatewayapi.RouteRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the router owns in one route: the weights of the stable and canary backendRefs of one rule,
 * and (HTTPRoutes) the managed header and mirror rules right before that rule. Everything else of the
 * route is left as the server returned it.
 */
final class RouteFields {
  /** The largest weight a backendRef may carry. */
  static final int MAX_WEIGHT = 1_000_000;

  private final RouteKey key;
  private final RouteRef ref;
  private final String serviceNamespace;
  private final String stableService;
  private final String canaryService;
  private final Set<String> managedRuleNames;

  RouteFields(RouteKey key, RouteRef ref, String serviceNamespace, String stableService, String canaryService,
      Set<String> managedRuleNames) {
    this.key = key;
    this.ref = ref;
    this.serviceNamespace = serviceNamespace;
    this.stableService = stableService;
    this.canaryService = canaryService;
    this.managedRuleNames = managedRuleNames;
  }

  /** The user's rule the rollout weighs, its index in {@code spec.rules}, and its stable and canary backendRefs. */
  record Located(int index, ObjectNode rule, ObjectNode stable, ObjectNode canary) {}

  RouteKey key() {
    return key;
  }

  /** What keeps the router from driving {@code route} as it is; empty when it can. */
  List<Problem> problems(ObjectNode route) {
    List<Problem> problems = new ArrayList<>();
    locate(route, problems);
    return problems;
  }

  /** The rule's weights, as percent of the two (the API's weights are proportions, not percent). */
  RouteWeight weights(ObjectNode route) {
    Located at = locateValid(route);
    int stable = weight(at.stable());
    int canary = weight(at.canary());
    int canaryPercent = stable + canary == 0 ? 0 : (int) Math.round(100.0 * canary / (stable + canary));
    return new RouteWeight(key.toString(), ref.describeRule(), 100 - canaryPercent, canaryPercent);
  }

  /** The backendRefs the managed rule weighs, for the ReferenceGrant check. */
  List<ObjectNode> weighedBackendRefs(ObjectNode route) {
    Located at = locateValid(route);
    return List.of(at.stable(), at.canary());
  }

  /** Sets the owned fields of {@code route} (a copy, free of {@link #problems}) to carry {@code desired}. */
  void apply(ObjectNode route, RoutingState desired) {
    Located at = locateValid(route);
    int canaryWeight = desired.canaryWeight();
    // All traffic on stable already (the user's route before the rollout, or after it): the user's weights stay as written.
    boolean alreadyAllStable = canaryWeight == 0 && weight(at.canary()) == 0 && weight(at.stable()) > 0;
    if (!alreadyAllStable) {
      at.stable().put("weight", 100 - canaryWeight);
      at.canary().put("weight", canaryWeight);
    }
    if (key.kind() == RouteKind.HTTP_ROUTE) {
      ObjectNode spec = (ObjectNode) route.get("spec");
      spec.set("rules", rulesWithManaged(spec, at, desired));
    }
  }

  /** The user's rules in their order, the managed rules in force right before the weighed one. */
  private ArrayNode rulesWithManaged(ObjectNode spec, Located at, RoutingState desired) {
    List<ObjectNode> rules = new ArrayList<>();
    List<ObjectNode> all = Json.objects(spec, "rules");
    for (int i = 0; i < all.size(); i++) {
      if (isManaged(all.get(i), desired)) {
        continue;
      }
      if (i == at.index()) {
        desired.headerRoutes().forEach(h -> rules.add(ManagedRules.header(at, h)));
        desired.mirrorRoutes().forEach(m -> rules.add(ManagedRules.mirror(at, m, desired.canaryWeight())));
      }
      rules.add(all.get(i));
    }
    return Json.array(rules);
  }

  private boolean isManaged(ObjectNode rule, RoutingState desired) {
    Optional<String> name = Json.text(rule, "name");
    return name.isPresent() && (managedRuleNames.contains(name.get())
        || desired.headerRoutes().stream().map(HeaderRoute::name).anyMatch(name.get()::equals)
        || desired.mirrorRoutes().stream().map(MirrorRoute::name).anyMatch(name.get()::equals));
  }

  private Located locateValid(ObjectNode route) {
    List<Problem> problems = new ArrayList<>();
    Optional<Located> found = locate(route, problems);
    if (!problems.isEmpty() || found.isEmpty()) {
      throw new CanaryValidationException(key.toString(), problems);
    }
    return found.get();
  }

  private Optional<Located> locate(ObjectNode route, List<Problem> problems) {
    JsonNode spec = route.path("spec");
    if (spec.path("parentRefs").isEmpty()) {
      problems.add(Problem.of(key + " spec.parentRefs", "is empty: the route is attached to no Gateway or Service, so its"
          + " weights would route nothing; attach it to the Gateway or the Service that carries the release's traffic"));
    }
    List<ObjectNode> rules = Json.objects(spec, "rules");
    List<Integer> userRules = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      if (Json.text(rules.get(i), "name").filter(managedRuleNames::contains).isEmpty()) {
        userRules.add(i);
      }
    }
    Optional<Integer> index = ruleIndex(rules, userRules, problems);
    if (index.isEmpty()) {
      return Optional.empty();
    }
    return backendRefs(index.get(), rules.get(index.get()), problems);
  }

  private Optional<Integer> ruleIndex(List<ObjectNode> rules, List<Integer> userRules, List<Problem> problems) {
    String where = key + " spec.rules";
    if (ref.rule().isPresent()) {
      String name = ref.rule().get();
      if (managedRuleNames.contains(name)) {
        problems.add(Problem.of(where, "rule '" + name + "' is also the name of a header or mirror route the rollout manages: rename one of them"));
        return Optional.empty();
      }
      Optional<Integer> named = userRules.stream().filter(i -> Json.text(rules.get(i), "name").filter(name::equals).isPresent()).findFirst();
      if (named.isEmpty()) {
        problems.add(Problem.of(where, "has no rule '" + name + "'; its rules are " + ruleNames(rules, userRules)));
      }
      return named;
    }
    if (ref.ruleIndex().isPresent()) {
      int wanted = ref.ruleIndex().get();
      if (wanted >= userRules.size()) {
        problems.add(Problem.of(where, "has no rule #" + wanted + "; it has " + userRules.size() + " rules: " + ruleNames(rules, userRules)));
        return Optional.empty();
      }
      return Optional.of(userRules.get(wanted));
    }
    if (userRules.size() != 1) {
      problems.add(Problem.of(where, "the rollout names no rule of it, so it needs exactly one rule, but it has " + userRules.size()
          + " " + ruleNames(rules, userRules) + ": name the rule (RouteRef.http(route, rule)) or give its index"));
      return Optional.empty();
    }
    return Optional.of(userRules.get(0));
  }

  /** The stable and canary backendRefs of the rule, or the problems that keep the rollout from weighing them. */
  private Optional<Located> backendRefs(int index, ObjectNode rule, List<Problem> problems) {
    String routeNamespace = key.namespace();
    String where = key + " spec.rules[" + index + "].backendRefs";
    List<ObjectNode> refs = Json.objects(rule, "backendRefs");
    ObjectNode stable = null;
    ObjectNode canary = null;
    List<String> others = new ArrayList<>();
    int before = problems.size();
    for (int i = 0; i < refs.size(); i++) {
      ObjectNode backend = refs.get(i);
      int weight = weight(backend);
      if (weight < 0 || weight > MAX_WEIGHT) {
        problems.add(Problem.of(where + "[" + i + "].weight", "is " + weight + "; the API allows 0.." + MAX_WEIGHT));
      }
      if (stable == null && Refs.namesService(backend, routeNamespace, serviceNamespace, stableService)) {
        stable = backend;
      } else if (canary == null && Refs.namesService(backend, routeNamespace, serviceNamespace, canaryService)) {
        canary = backend;
      } else {
        others.add(Refs.describeBackend(backend, routeNamespace) + " (weight " + weight + ")");
      }
    }
    List<String> present = refs.stream().map(b -> Refs.describeBackend(b, routeNamespace)).toList();
    if (stable == null) {
      problems.add(Problem.of(where, "has no backendRef to the stable Service " + serviceNamespace + "/" + stableService
          + " (its backendRefs are " + present + "): add {name: " + stableService + ", port: <the Service's port>, weight: 100}"));
    }
    if (canary == null) {
      String port = stable != null && stable.has("port") ? stable.get("port").asText() : "<the Service's port>";
      problems.add(Problem.of(where, "has no backendRef to the canary Service " + serviceNamespace + "/" + canaryService
          + " (its backendRefs are " + present + "): add {name: " + canaryService + ", port: " + port + ", weight: 0}"));
    }
    if (!others.isEmpty()) {
      problems.add(Problem.of(where, "also names " + others + ": the rollout splits the rule between the stable and the canary"
          + " Service only; move the other backends to a rule of their own"));
    }
    return problems.size() == before ? Optional.of(new Located(index, rule, stable, canary)) : Optional.empty();
  }

  /** The API defaults an absent weight to 1. */
  private static int weight(JsonNode backendRef) {
    return backendRef.path("weight").asInt(1);
  }

  private static String ruleNames(List<ObjectNode> rules, List<Integer> userRules) {
    List<String> names = new ArrayList<>();
    for (int n = 0; n < userRules.size(); n++) {
      int position = n;
      names.add(Json.text(rules.get(userRules.get(n)), "name").map(name -> "'" + name + "'").orElseGet(() -> "#" + position + " (unnamed)"));
    }
    return names.toString();
  }
}
