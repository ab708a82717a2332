package io.canary.core;

import java.util.Objects;

/** The workload a rollout releases: {@code Deployment/name} in the rollout's namespace. */
public record WorkloadRef(String kind, String name) {
  public static final String DEPLOYMENT = "Deployment";

  public WorkloadRef {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
  }

  public static WorkloadRef deployment(String name) {
    return new WorkloadRef(DEPLOYMENT, name);
  }

  @Override
  public String toString() {
    return kind + "/" + name;
  }
}
