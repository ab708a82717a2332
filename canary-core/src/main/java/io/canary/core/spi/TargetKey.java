package io.canary.core.spi;

import io.canary.core.CanarySpec;
import java.util.Objects;

/** The workload a release changes, as {@link TargetClaims} claims it: its namespace, kind and name. */
public record TargetKey(String namespace, String kind, String name) {
  public TargetKey {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
  }

  /** The target of {@code spec}: its workload, in the rollout's namespace. */
  public static TargetKey of(CanarySpec spec) {
    return new TargetKey(spec.namespace(), spec.target().kind(), spec.target().name());
  }

  @Override
  public String toString() {
    return namespace + "/" + kind + "/" + name;
  }
}
