package io.canary.core.internal;

import io.canary.core.CanarySpec;
import io.canary.core.DriftPolicy;
import io.canary.core.RolloutHandle;
import io.canary.core.spi.RetryPolicy;
import io.canary.core.spi.RolloutListener;
import io.canary.core.spi.StateStore;
import io.canary.core.spi.TargetClaims;
import io.canary.core.spi.TrafficRouter;
import io.canary.core.spi.Workloads;
import io.canary.core.time.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;

/** What every rollout of one runner shares. */
public record RunnerContext(
    TrafficRouter router,
    Workloads workloads,
    StateStore store,
    /** The runner's own lease, whose epoch the rollouts it drives record as their owner. */
    RunnerLease runnerLease,
    /** One release per target workload. */
    TargetClaims claims,
    Scheduler scheduler,
    String identity,
    Duration leaseDuration,
    List<RolloutListener> listeners,
    /** Where analysis gates run (they may wait on a metrics backend); empty: on the scheduler's thread. */
    Optional<Executor> analysisExecutor,
    /** Starts another release of a rollout in place of the one this runner drives (undo). */
    Function<CanarySpec, RolloutHandle> restart,
    /** What a rollout whose spec names no drift policy does when its owned weights are changed by someone else. */
    DriftPolicy driftPolicy,
    /** When and how often a failed API call is tried again. */
    RetryPolicy retryPolicy,
    /** Which faults are worth another attempt. */
    Faults faults) {
  /** The drift policy of {@code spec}: its own, or the runner's. */
  public DriftPolicy driftPolicy(CanarySpec spec) {
    return spec.driftPolicy().orElse(driftPolicy);
  }
}
