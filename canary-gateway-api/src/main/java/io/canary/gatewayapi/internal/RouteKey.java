package io.canary.gatewayapi.internal;

import io.canary.gatewayapi.RouteKind;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/** One route by kind, namespace and name; {@link #toString()} is how problems and messages name it. */
record RouteKey(RouteKind kind, String namespace, String name) {
  ResourceDefinitionContext context() {
    return new ResourceDefinitionContext.Builder()
        .withGroup(RouteKind.GROUP)
        .withVersion(RouteKind.VERSION)
        .withKind(kind.kind())
        .withPlural(kind.plural())
        .withNamespaced(true)
        .build();
  }

  String qualifiedName() {
    return namespace + "/" + name;
  }

  @Override
  public String toString() {
    return kind.kind() + " " + qualifiedName();
  }
}
