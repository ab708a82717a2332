package io.canary.istio.internal;

import io.canary.core.CanarySpec;
import io.canary.istio.ServiceStrategy;
import io.canary.istio.SubsetStrategy;
import java.util.Map;
import java.util.Objects;

/**
 * Tells the stable and canary destinations of a route apart, by the rollout's traffic strategy: host
 * and subset for the subset strategy, host alone for the service strategy.
 */
final class Destinations {
  private final String serviceNamespace;
  private final String stableHost;
  private final String canaryHost;
  private final String stableSubset;
  private final String canarySubset;

  private Destinations(String serviceNamespace, String stableHost, String canaryHost, String stableSubset, String canarySubset) {
    this.serviceNamespace = serviceNamespace;
    this.stableHost = stableHost;
    this.canaryHost = canaryHost;
    this.stableSubset = stableSubset;
    this.canarySubset = canarySubset;
  }

  static Destinations of(CanarySpec spec) {
    Object traffic = spec.traffic();
    if (traffic instanceof SubsetStrategy s) {
      return new Destinations(spec.namespace(), s.service(), s.service(), s.stableSubset(), s.canarySubset());
    }
    if (traffic instanceof ServiceStrategy s) {
      return new Destinations(spec.namespace(), s.stableService(), s.canaryService(), null, null);
    }
    throw new IllegalArgumentException("unsupported traffic strategy " + traffic.getClass().getName());
  }

  /** {@code destination} is the {@code destination} block of a route destination. */
  boolean isStable(Map<String, Object> destination, String routeNamespace) {
    return matches(destination, routeNamespace, stableHost, stableSubset);
  }

  boolean isCanary(Map<String, Object> destination, String routeNamespace) {
    return matches(destination, routeNamespace, canaryHost, canarySubset);
  }

  /** True when {@code host}, written in {@code namespace}, names the stable Service. */
  boolean namesStableService(String host, String namespace) {
    return sameService(host, namespace, stableHost);
  }

  String describeStable() {
    return describe(stableHost, stableSubset);
  }

  String describeCanary() {
    return describe(canaryHost, canarySubset);
  }

  /**
   * The canary's destination block made from the stable one: same port and other fields, the canary
   * subset (subset strategy) or the canary Service written the way the stable one is (service strategy).
   */
  Map<String, Object> canaryFrom(Map<String, Object> stableDestination) {
    Map<String, Object> canary = Trees.copyMap(stableDestination);
    if (canarySubset != null) {
      canary.put("subset", canarySubset);
    } else {
      String host = Trees.string(stableDestination, "host");
      canary.put("host", host.equals(stableHost) ? canaryHost : canaryHost + host.substring(stableHost.length()));
    }
    return canary;
  }

  /** What a user would add to a route that lacks the canary destination. */
  String canaryExample() {
    return "{destination: {host: " + canaryHost + (canarySubset == null ? "" : ", subset: " + canarySubset) + "}, weight: 0}";
  }

  static String describe(Map<String, Object> destination) {
    return describe(Trees.string(destination, "host"), Trees.string(destination, "subset"));
  }

  private static String describe(String host, String subset) {
    return "host '" + host + "'" + (subset == null ? "" : " subset '" + subset + "'");
  }

  private boolean matches(Map<String, Object> destination, String routeNamespace, String service, String subset) {
    return sameService(Trees.string(destination, "host"), routeNamespace, service)
        && (subset == null || subset.equals(Trees.string(destination, "subset")));
  }

  /**
   * Istio resolves a short host name in the namespace of the VirtualService; {@code svc.ns},
   * {@code svc.ns.svc} and {@code svc.ns.svc.cluster.local} name the Service wherever they are written.
   */
  private boolean sameService(String host, String routeNamespace, String service) {
    if (host == null) {
      return false;
    }
    if (host.equals(service)) {
      return Objects.equals(routeNamespace, serviceNamespace);
    }
    String qualified = service + "." + serviceNamespace;
    return host.equals(qualified) || host.equals(qualified + ".svc") || host.equals(qualified + ".svc.cluster.local");
  }
}
