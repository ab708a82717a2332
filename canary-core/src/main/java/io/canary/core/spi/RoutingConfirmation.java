package io.canary.core.spi;

import java.util.Objects;

/**
 * Whether the routing layer has taken up a change the router wrote: the written object accepted by
 * every parent (Gateway API route status), or the configuration pushed to every proxy (Istio's
 * {@code Reconciled} condition). A weight counts as applied only once confirmed.
 *
 * @param state confirmed, still pending, or refused by the routing layer
 * @param reason a short machine-readable cause, for example {@code NotAllowedByListeners}
 * @param message what the routing layer said, naming the object and parent
 */
public record RoutingConfirmation(State state, String reason, String message) {
  public enum State {
    CONFIRMED,
    PENDING,
    REFUSED
  }

  public RoutingConfirmation {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }

  public static RoutingConfirmation confirmed() {
    return new RoutingConfirmation(State.CONFIRMED, "", "");
  }

  public static RoutingConfirmation pending(String reason, String message) {
    return new RoutingConfirmation(State.PENDING, reason, message);
  }

  public static RoutingConfirmation refused(String reason, String message) {
    return new RoutingConfirmation(State.REFUSED, reason, message);
  }
}
