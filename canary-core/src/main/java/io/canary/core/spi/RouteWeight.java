package io.canary.core.spi;

/**
 * The weights one managed route carries now, as read back from the cluster.
 *
 * @param object the routing object, for example {@code VirtualService ns/name}
 * @param route the route, for example {@code http route-one} or {@code tcp port 3306}
 */
public record RouteWeight(String object, String route, int stableWeight, int canaryWeight) {}
