package io.canary.testing;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulated Gateway API implementation of a {@link SimulatedCluster} (reached through
 * {@link SimulatedCluster#gatewayApi()}): a statusDelay after a route's generation changes, it
 * programs the route into each parent (a {@code Gateway}, or a {@code Service} for in-mesh routes)
 * and writes the route's status per parent: {@code Accepted} and {@code ResolvedRefs} with the
 * generation it judged. Traffic follows what was programmed, so a weight takes effect only once the
 * implementation has taken it up. A refusing parent answers {@code Accepted=False} and keeps what it
 * had programmed before.
 *
 * <pre>{@code
 * sim.gatewayApi().statusDelay(Duration.ofSeconds(3));
 * sim.gatewayApi().refuseGateway("nsa", "public", "NotAllowedByListeners", "no listener allows routes from nsa");
 * sim.gatewayApi().writesStatus(false);   // an implementation that writes no route status
 * }</pre>
 */
public final class GatewayApiImplementation {
  /** The {@code controllerName} of the status entries the simulation writes. */
  public static final String CONTROLLER_NAME = "canary.io/simulated-gateway-controller";

  /** Why a parent does not accept routes. */
  public record Refusal(String reason, String message) {
    public Refusal {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
    }
  }

  private final Map<String, Refusal> refusals = new ConcurrentHashMap<>();
  private final Runnable changed;
  private volatile Duration statusDelay;
  private volatile boolean writesStatus = true;

  GatewayApiImplementation(Duration statusDelay, Runnable changed) {
    this.statusDelay = statusDelay;
    this.changed = changed;
  }

  /** How long after a route changes the implementation programs it and writes its status. */
  public GatewayApiImplementation statusDelay(Duration delay) {
    if (delay == null || delay.isNegative()) {
      throw new IllegalArgumentException("GatewayApiImplementation.statusDelay must be zero or more, got " + delay);
    }
    this.statusDelay = delay;
    return this;
  }

  public Duration statusDelay() {
    return statusDelay;
  }

  /** False: routes are still programmed, but no status is written (as some implementations do). */
  public GatewayApiImplementation writesStatus(boolean writes) {
    this.writesStatus = writes;
    changed.run();
    return this;
  }

  public boolean writesStatus() {
    return writesStatus;
  }

  /** From now on the Gateway {@code namespace/name} answers {@code Accepted=False} with this reason and message. */
  public GatewayApiImplementation refuseGateway(String namespace, String name, String reason, String message) {
    return refuse("Gateway", namespace, name, new Refusal(reason, message));
  }

  /** From now on routes attached to the Service {@code namespace/name} (in-mesh) are refused. */
  public GatewayApiImplementation refuseService(String namespace, String name, String reason, String message) {
    return refuse("Service", namespace, name, new Refusal(reason, message));
  }

  /** Every parent accepts routes again. */
  public GatewayApiImplementation acceptAll() {
    refusals.clear();
    changed.run();
    return this;
  }

  /** The refusal of the parent {@code kind namespace/name}, if it refuses. */
  public Optional<Refusal> refusal(String kind, String namespace, String name) {
    return Optional.ofNullable(refusals.get(kind + " " + namespace + "/" + name));
  }

  private GatewayApiImplementation refuse(String kind, String namespace, String name, Refusal refusal) {
    refusals.put(kind + " " + namespace + "/" + name, refusal);
    changed.run();
    return this;
  }
}
