package io.canary.core.spi;

import java.util.List;
import java.util.Optional;
import org.immutables.value.Value;

/** What the cluster shows of one revision's workload. */
@Value.Immutable
public abstract class RevisionState {
  public abstract String workload();

  /** The revision hash the workload's pod template has now. */
  public abstract String hash();

  /** Replicas the workload asks for (its spec, or what its autoscaler set). */
  public abstract int desired();

  /** Pods that exist. */
  public abstract int current();

  /** Pods of the workload's current template. */
  public abstract int updated();

  public abstract int ready();

  /** Ready for at least minReadySeconds. */
  public abstract int available();

  /** True when an autoscaler owns the replica count. */
  @Value.Default
  public boolean autoscaled() {
    return false;
  }

  /** The autoscaler's bounds, when there is one. */
  public abstract Optional<Integer> minReplicas();

  public abstract Optional<Integer> maxReplicas();

  public abstract List<PodSummary> pods();

  public static ImmutableRevisionState.Builder builder() {
    return ImmutableRevisionState.builder();
  }

  public static RevisionState absent(String workload) {
    return builder().workload(workload).hash("").desired(0).current(0).updated(0).ready(0).available(0).build();
  }
}
