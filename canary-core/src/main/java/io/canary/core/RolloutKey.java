package io.canary.core;

import java.util.Objects;

/** Names one rollout: its namespace and name. */
public record RolloutKey(String namespace, String name) implements Comparable<RolloutKey> {
  public RolloutKey {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  public static RolloutKey of(String namespace, String name) {
    return new RolloutKey(namespace, name);
  }

  @Override
  public int compareTo(RolloutKey o) {
    int c = namespace.compareTo(o.namespace);
    return c != 0 ? c : name.compareTo(o.name);
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
