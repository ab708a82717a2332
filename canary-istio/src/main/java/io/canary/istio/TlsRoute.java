package io.canary.istio;

import java.util.List;
import java.util.Objects;

/** A tls route of a VirtualService, found by its port and SNI hosts (tls routes have no name). */
public record TlsRoute(int port, List<String> sniHosts) {
  public TlsRoute {
    Objects.requireNonNull(sniHosts, "sniHosts");
    sniHosts = List.copyOf(sniHosts);
  }

  public static TlsRoute of(int port, String... sniHosts) {
    return new TlsRoute(port, List.of(sniHosts));
  }

  @Override
  public String toString() {
    return "tls(port " + port + ", sniHosts " + sniHosts + ")";
  }
}
