package io.canary.gatewayapi;

import java.util.Optional;
import org.immutables.value.Value;

/**
 * One route a rollout drives and the rule of it whose {@code backendRefs} weights it owns: a rule by
 * its {@code name} (Gateway API v1.2 and later), or by its index among the user's rules where rules
 * are unnamed. With neither, the route must have exactly one rule.
 *
 * <pre>{@code
 * RouteRef.http("appa", "api");          // HTTPRoute appa, rule named api
 * RouteRef.grpc("appa-grpc", 0);         // GRPCRoute appa-grpc, its first rule
 * RouteRef.builder().name("edge").namespace("edge").rule("to-appa").build();
 * }</pre>
 */
@Value.Immutable
public abstract class RouteRef {
  @Value.Default
  public RouteKind kind() {
    return RouteKind.HTTP_ROUTE;
  }

  public abstract String name();

  /** Defaults to the rollout's namespace. */
  public abstract Optional<String> namespace();

  /** The rule by its name. */
  public abstract Optional<String> rule();

  /** The rule by its index among the route's rules that the rollout does not manage (0 is the first). */
  public abstract Optional<Integer> ruleIndex();

  public static ImmutableRouteRef.Builder builder() {
    return ImmutableRouteRef.builder();
  }

  /** An HTTPRoute with exactly one rule. */
  public static RouteRef http(String name) {
    return builder().name(name).build();
  }

  /** An HTTPRoute and its rule named {@code rule}. */
  public static RouteRef http(String name, String rule) {
    return builder().name(name).rule(rule).build();
  }

  /** An HTTPRoute and its rule at {@code ruleIndex}. */
  public static RouteRef http(String name, int ruleIndex) {
    return builder().name(name).ruleIndex(ruleIndex).build();
  }

  /** A GRPCRoute with exactly one rule. */
  public static RouteRef grpc(String name) {
    return builder().kind(RouteKind.GRPC_ROUTE).name(name).build();
  }

  /** A GRPCRoute and its rule named {@code rule}. */
  public static RouteRef grpc(String name, String rule) {
    return builder().kind(RouteKind.GRPC_ROUTE).name(name).rule(rule).build();
  }

  /** A GRPCRoute and its rule at {@code ruleIndex}. */
  public static RouteRef grpc(String name, int ruleIndex) {
    return builder().kind(RouteKind.GRPC_ROUTE).name(name).ruleIndex(ruleIndex).build();
  }

  public String namespaceOr(String rolloutNamespace) {
    return namespace().orElse(rolloutNamespace);
  }

  /** How problems and the status tree name the rule: {@code rule 'api'}, {@code rule #0}, {@code the single rule}. */
  public String describeRule() {
    return rule().map(r -> "rule '" + r + "'").orElseGet(() -> ruleIndex().map(i -> "rule #" + i).orElse("the single rule"));
  }
}
