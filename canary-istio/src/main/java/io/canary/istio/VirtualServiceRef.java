package io.canary.istio;

import java.util.List;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * One VirtualService a rollout drives and the routes in it whose weights it owns. With no route
 * named at all, the VirtualService must have exactly one http route (named or not).
 */
@Value.Immutable
public abstract class VirtualServiceRef {
  public abstract String name();

  /** Defaults to the rollout's namespace. */
  public abstract Optional<String> namespace();

  /** Names of http routes. */
  public abstract List<String> httpRoutes();

  /** tls routes, by port and SNI hosts. */
  public abstract List<TlsRoute> tlsRoutes();

  /** tcp routes, by port. */
  public abstract List<Integer> tcpRoutes();

  public static VirtualServiceRef of(String name, String... httpRoutes) {
    return ImmutableVirtualServiceRef.builder().name(name).addHttpRoutes(httpRoutes).build();
  }

  public static ImmutableVirtualServiceRef.Builder builder() {
    return ImmutableVirtualServiceRef.builder();
  }

  /** True when no route is named: the single http route is meant. */
  public boolean usesSingleRoute() {
    return httpRoutes().isEmpty() && tlsRoutes().isEmpty() && tcpRoutes().isEmpty();
  }

  public String namespaceOr(String rolloutNamespace) {
    return namespace().orElse(rolloutNamespace);
  }
}
