package io.canary.istio.internal;

/** One routing object by kind, namespace and name; {@link #toString()} is how problems name it. */
public record ObjectRef(RoutingKind kind, String namespace, String name) {
  @Override
  public String toString() {
    return kind.kind() + " " + namespace + "/" + name;
  }
}
