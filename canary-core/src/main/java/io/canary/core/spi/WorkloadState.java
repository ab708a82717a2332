package io.canary.core.spi;

import java.util.Optional;

/** The stable and canary workloads as the cluster shows them (canary empty until it exists). */
public record WorkloadState(RevisionState stable, Optional<RevisionState> canary) {
  public RevisionState canaryOrAbsent() {
    return canary.orElseGet(() -> RevisionState.absent(""));
  }
}
