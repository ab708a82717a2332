package io.canary.core;

import java.util.Objects;

/** The stable and canary revisions of one rollout. */
public record Revisions(Revision stable, Revision canary) {
  public Revisions {
    Objects.requireNonNull(stable, "stable");
    Objects.requireNonNull(canary, "canary");
  }
}
