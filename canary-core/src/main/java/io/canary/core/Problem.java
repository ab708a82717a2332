package io.canary.core;

import java.util.Objects;

/**
 * One thing wrong with a spec or with the cluster objects it names.
 *
 * @param where the object, field or step the problem is in, for example {@code step 3 (setWeight 120).weight}
 *     or {@code VirtualService nsa/virtual-service-appa}
 * @param message what is wrong and what would be right
 */
public record Problem(String where, String message) {
  public Problem {
    Objects.requireNonNull(where, "where");
    Objects.requireNonNull(message, "message");
  }

  public static Problem of(String where, String message) {
    return new Problem(where, message);
  }

  @Override
  public String toString() {
    return where + ": " + message;
  }
}
