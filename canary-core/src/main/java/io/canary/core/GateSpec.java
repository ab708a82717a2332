package io.canary.core;

import io.canary.core.analysis.LifecycleGate;
import io.canary.core.analysis.LifecyclePoint;
import java.time.Duration;
import org.immutables.value.Value;

/**
 * A gate at a point of the rollout's life, as Flagger's webhooks are:
 * {@code GateSpec.at(LifecyclePoint.CONFIRM_PROMOTION, "approval", WebhookGate.of(uri))}.
 * <ul>
 *   <li>{@code PRE_ROLLOUT}: asked before the canary is created; a failure aborts, anything else holds
 *       the rollout and asks again every {@link #interval()}.
 *   <li>{@code CONFIRM_TRAFFIC_INCREASE}: asked before each step that raises the canary's weight;
 *       until it passes the rollout holds its weight and asks again every {@link #interval()}.
 *   <li>{@code CONFIRM_PROMOTION}: asked before the stable workload takes the new revision; until it
 *       passes the rollout holds (background analysis goes on).
 *   <li>{@code POST_ROLLOUT} and {@code ROLLBACK}: told once the rollout succeeded, and when it starts
 *       rolling back; their answer is reported in an event and changes nothing.
 * </ul>
 * A person can always {@code abort()} a held rollout.
 */
@Value.Immutable
public abstract class GateSpec {
  public abstract LifecyclePoint point();

  /** Names the gate in events and the status. */
  public abstract String name();

  public abstract LifecycleGate gate();

  /** How long a held rollout waits before it asks again. */
  @Value.Default
  public Duration interval() {
    return Duration.ofSeconds(30);
  }

  public static GateSpec at(LifecyclePoint point, String name, LifecycleGate gate) {
    return ImmutableGateSpec.builder().point(point).name(name).gate(gate).build();
  }

  public static ImmutableGateSpec.Builder builder() {
    return ImmutableGateSpec.builder();
  }
}
