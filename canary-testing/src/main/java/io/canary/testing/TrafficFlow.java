package io.canary.testing;

import java.util.List;
import java.util.Objects;

/**
 * A stream of requests for one host: its rate (changeable at any virtual time), the users that send
 * it and where it enters the mesh. Requests are routed on every tick by the VirtualServices,
 * DestinationRules and Services the API server holds at that moment.
 */
public final class TrafficFlow {
  private final String name;
  private String namespace = "default";
  private String host;
  private String gateway;
  private String uri = "/";
  private double rate;
  private List<UserGroup> users = List.of();
  private long version;

  TrafficFlow(String name) {
    this.name = name;
    this.host = name;
  }

  /**
   * Requests go to {@code host} (as a client in {@code namespace} would write it: a Service's short
   * name, {@code name.namespace}, a cluster FQDN, or an external host a VirtualService lists).
   */
  public synchronized TrafficFlow to(String namespace, String host) {
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.host = Objects.requireNonNull(host, "host");
    version++;
    return this;
  }

  /**
   * Requests enter through an Istio gateway ({@code namespace/name}, as VirtualServices name it);
   * only VirtualServices bound to it route them. Without a gateway the flow is mesh traffic.
   */
  public synchronized TrafficFlow throughGateway(String gateway) {
    this.gateway = Objects.requireNonNull(gateway, "gateway");
    version++;
    return this;
  }

  /** The path every request asks for; {@code /} unless set. */
  public synchronized TrafficFlow uri(String uri) {
    this.uri = Objects.requireNonNull(uri, "uri");
    version++;
    return this;
  }

  /** Requests per second from now on. */
  public synchronized TrafficFlow rate(double requestsPerSecond) {
    if (!(requestsPerSecond >= 0) || Double.isInfinite(requestsPerSecond)) {
      throw new IllegalArgumentException("TrafficFlow " + name + ": rate must be a finite number of requests "
          + "per second, 0 or more, got " + requestsPerSecond);
    }
    this.rate = requestsPerSecond;
    return this;
  }

  /** The user groups with headers; whatever share they leave sends no header at all. */
  public synchronized TrafficFlow users(UserGroup... groups) {
    double sum = 0;
    for (UserGroup g : groups) {
      sum += g.share();
    }
    if (sum > 1.0 + 1e-9) {
      throw new IllegalArgumentException("TrafficFlow " + name + ": the user groups' shares add up to " + sum
          + "; they must add up to 1 or less");
    }
    this.users = List.of(groups);
    version++;
    return this;
  }

  public String name() {
    return name;
  }

  public synchronized String namespace() {
    return namespace;
  }

  public synchronized String host() {
    return host;
  }

  public synchronized java.util.Optional<String> gateway() {
    return java.util.Optional.ofNullable(gateway);
  }

  public synchronized String uri() {
    return uri;
  }

  public synchronized double rate() {
    return rate;
  }

  public synchronized List<UserGroup> users() {
    return users;
  }

  synchronized long version() {
    return version;
  }
}
