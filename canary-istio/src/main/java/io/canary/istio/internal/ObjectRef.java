package io.canary.istio.internal;

/** One routing object by kind, namespace and name; {@link #toString()} is how problems name it. */
public record ObjectRef(RoutingKind kind, String namespace, String name) {
  /** {@code namespace/name} */
  public String qualifiedName() {
    return namespace + "/" + name;
  }

  @Override
  public String toString() {
    return kind.kind() + " " + qualifiedName();
  }
}
