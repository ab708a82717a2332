package io.canary.core.internal;

import io.canary.core.CanaryException;
import io.canary.core.CanarySpec;
import io.canary.core.RolloutStatus;
import io.canary.core.spi.TargetClaims.Claim;
import io.canary.core.spi.TargetKey;
import io.canary.core.spi.Versioned;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rollout's claim on its target workload ({@link io.canary.core.spi.TargetClaims}): taken by
 * {@code start()} before anything is written, taken again before a fresh release saves its first
 * status and before a control starts an ended rollout again, given up when the rollout has ended.
 *
 * <p>A claim of another rollout is stale, and may be replaced, when that rollout's stored status has
 * ended or is gone (its runner stopped before giving the claim up), once the claim is a lease
 * duration old: a runner that has just claimed has that long to save its first status.
 */
public final class TargetClaim {
  private static final Logger LOG = LoggerFactory.getLogger("io.canary.rollout");

  private TargetClaim() {}

  /**
   * Refuses {@code spec} at once, before its validation, when another rollout holds its target (a read:
   * the claim itself is taken by {@link #take} once the spec is valid).
   *
   * @throws CanaryException naming the rollout that holds the target, and how to take it over
   */
  public static void check(RunnerContext ctx, CanarySpec spec) {
    Instant now = ctx.scheduler().now();
    Optional<Claim> holder = ctx.claims().holder(TargetKey.of(spec));
    if (holder.isPresent() && !holder.get().rollout().equals(spec.key()) && !stale(ctx, holder.get(), now)) {
      throw refusal(ctx, spec, holder.get());
    }
  }

  /**
   * Claims the target of {@code spec} for its rollout.
   *
   * @throws CanaryException naming the rollout that holds the target, and how to take it over
   */
  public static void take(RunnerContext ctx, CanarySpec spec) {
    TargetKey target = TargetKey.of(spec);
    Instant now = ctx.scheduler().now();
    Optional<Claim> holder = ctx.claims().claim(target, spec.key(), now, claim -> stale(ctx, claim, now));
    if (holder.isPresent()) {
      throw refusal(ctx, spec, holder.get());
    }
  }

  /** True when the rollout of {@code spec} holds its target's claim (a read). */
  public static boolean heldBy(RunnerContext ctx, CanarySpec spec) {
    return ctx.claims().holder(TargetKey.of(spec)).filter(claim -> claim.rollout().equals(spec.key())).isPresent();
  }

  /** Gives the claim up (the rollout has ended); a failure is logged, the claim then goes stale. */
  static void release(RunnerContext ctx, CanarySpec spec) {
    try {
      ctx.claims().release(TargetKey.of(spec), spec.key());
    } catch (RuntimeException e) {
      LOG.warn("[{}] could not give up the claim on {}: {}", spec.key(), spec.target(), e.toString());
    }
  }

  private static boolean stale(RunnerContext ctx, Claim claim, Instant now) {
    if (claim.claimedAt().plus(ctx.leaseDuration()).isAfter(now)) {
      return false;
    }
    Optional<Versioned<RolloutStatus>> stored = ctx.store().load(claim.rollout());
    return stored.isEmpty() || stored.get().value().phase().isTerminal();
  }

  private static CanaryException refusal(RunnerContext ctx, CanarySpec spec, Claim holder) {
    String state = ctx.store().load(holder.rollout())
        .map(v -> v.value().phase().displayName() + ", " + StepNumbers.position(v.value()))
        .orElse("starting, no status saved yet");
    return new CanaryException("Rollout " + spec.key() + " cannot start: its target " + spec.target() + " is held by"
        + " rollout " + holder.rollout() + " (" + state + "), and a target has one release at a time. Abort "
        + holder.rollout() + " and let it end, then start this one; if the runner driving it is gone, another runner"
        + " takes it over once its lease runs out (start its spec or resumeAll) and can abort it there");
  }
}
