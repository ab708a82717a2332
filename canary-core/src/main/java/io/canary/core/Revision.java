package io.canary.core;

import java.util.Map;
import java.util.Objects;

/**
 * One revision of the workload: the workload that runs it, a hash stable across runs for the same
 * pod template, and the pod labels that select exactly its pods (added to DestinationRule subsets or
 * Service selectors by the router; empty when the workloads are already told apart by the user's own
 * labels).
 */
public record Revision(String workload, String hash, Map<String, String> podLabels) {
  public Revision {
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(hash, "hash");
    podLabels = Map.copyOf(podLabels);
  }

  @Override
  public String toString() {
    return workload + "@" + hash;
  }
}
