package io.canary.gatewayapi.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canary.core.HeaderRoute;
import io.canary.core.MirrorRoute;
import io.canary.core.RouteMatch;
import io.canary.core.StringMatch;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The header and mirror rules the router places right before the user's rule. Each is a copy of that
 * rule (its timeouts, filters and retries stay in force) with its own name, and with each of the user's
 * matches narrowed by the step's matches: Gateway API picks the most specific match, not the first
 * rule, so a managed rule must be at least as specific as the user's to win.
 */
final class ManagedRules {
  private static final int MIRROR_FRACTION_DENOMINATOR = 10_000;

  private ManagedRules() {}

  /** Matching requests go to the canary with the header route's weight (100: the canary only). */
  static ObjectNode header(RouteFields.Located user, HeaderRoute header) {
    ObjectNode rule = named(header.name(), user.rule());
    rule.set("matches", narrowed(user.rule(), header.matches()));
    rule.set("backendRefs", backendRefs(user, header.canaryWeight()));
    return rule;
  }

  /** Matching requests follow the rollout's weights, and {@code percent} of them are mirrored to the canary. */
  static ObjectNode mirror(RouteFields.Located user, MirrorRoute mirror, int canaryWeight) {
    ObjectNode rule = named(mirror.name(), user.rule());
    rule.set("matches", narrowed(user.rule(), mirror.matches()));
    rule.set("backendRefs", backendRefs(user, canaryWeight));
    ArrayNode filters = rule.path("filters") instanceof ArrayNode existing ? existing : rule.putArray("filters");
    ObjectNode filter = filters.addObject();
    filter.put("type", "RequestMirror");
    ObjectNode requestMirror = filter.putObject("requestMirror");
    ObjectNode target = requestMirror.putObject("backendRef");
    for (String field : List.of("group", "kind", "name", "namespace", "port")) {
      if (user.canary().has(field)) {
        target.set(field, user.canary().get(field).deepCopy());
      }
    }
    double percent = mirror.percent();
    if (percent == Math.rint(percent)) {
      requestMirror.put("percent", (int) percent);
    } else {
      ObjectNode fraction = requestMirror.putObject("fraction");
      fraction.put("numerator", (int) Math.round(percent * MIRROR_FRACTION_DENOMINATOR / 100));
      fraction.put("denominator", MIRROR_FRACTION_DENOMINATOR);
    }
    return rule;
  }

  /** The user's rule under another name, the name first. */
  private static ObjectNode named(String name, ObjectNode userRule) {
    ObjectNode rule = Json.NODES.objectNode();
    rule.put("name", name);
    userRule.fields().forEachRemaining(field -> {
      if (!field.getKey().equals("name")) {
        rule.set(field.getKey(), field.getValue().deepCopy());
      }
    });
    return rule;
  }

  private static ArrayNode backendRefs(RouteFields.Located user, int canaryWeight) {
    ObjectNode stable = user.stable().deepCopy();
    stable.put("weight", 100 - canaryWeight);
    ObjectNode canary = user.canary().deepCopy();
    canary.put("weight", canaryWeight);
    return Json.array(List.of(stable, canary));
  }

  /** Every user match (or the match-all a rule without matches has) narrowed by every step match. */
  private static ArrayNode narrowed(ObjectNode userRule, List<RouteMatch> stepMatches) {
    List<ObjectNode> userMatches = Json.objects(userRule, "matches");
    if (userMatches.isEmpty()) {
      userMatches = List.of(Json.NODES.objectNode());
    }
    ArrayNode out = Json.NODES.arrayNode();
    for (ObjectNode userMatch : userMatches) {
      for (RouteMatch step : stepMatches) {
        out.add(narrow(userMatch.deepCopy(), step));
      }
    }
    return out;
  }

  private static ObjectNode narrow(ObjectNode match, RouteMatch step) {
    step.uri().ifPresent(uri -> {
      ObjectNode path = match.putObject("path");
      path.put("type", switch (uri.kind()) {
        case EXACT -> "Exact";
        case PREFIX -> "PathPrefix";
        case REGEX -> "RegularExpression";
      });
      path.put("value", uri.value());
    });
    step.method().ifPresent(method -> match.put("method", method.value()));
    if (!step.headers().isEmpty()) {
      ArrayNode headers = Json.NODES.arrayNode();
      for (ObjectNode existing : Json.objects(match, "headers")) {
        String name = Json.text(existing, "name", "").toLowerCase(Locale.ROOT);
        if (!step.headers().containsKey(name)) {
          headers.add(existing);
        }
      }
      for (Map.Entry<String, StringMatch> header : step.headers().entrySet()) {
        headers.add(headerMatch(header.getKey(), header.getValue()));
      }
      match.set("headers", headers);
    }
    return match;
  }

  /** Gateway API matches headers exactly or by regular expression: a prefix becomes a quoted regex. */
  private static JsonNode headerMatch(String name, StringMatch value) {
    ObjectNode header = Json.NODES.objectNode();
    header.put("name", name);
    switch (value.kind()) {
      case EXACT -> {
        header.put("type", "Exact");
        header.put("value", value.value());
      }
      case PREFIX -> {
        header.put("type", "RegularExpression");
        header.put("value", Pattern.quote(value.value()) + ".*");
      }
      case REGEX -> {
        header.put("type", "RegularExpression");
        header.put("value", value.value());
      }
    }
    return header;
  }
}
