package io.canary.core.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What kind of fault made an API call fail, as a {@link FaultClassifier} tells it.
 *
 * @param kind transient (worth another attempt), conflict (re-read, then re-apply), or lasting
 * @param retryAfter how long the server asked the client to wait (HTTP {@code Retry-After}), if it did
 * @param cause the fault in a few words, for logs and the status
 */
public record ApiFault(Kind kind, Optional<Duration> retryAfter, String cause) {
  public enum Kind {
    /** The server or the network failed this once: 5xx, 429, timeouts, connections reset or dropped. */
    TRANSIENT,
    /** Someone else wrote first (HTTP 409): read again, and apply again on what was read. */
    CONFLICT,
    /** Trying again will not help: 400, 403, 404, 422, a refusal, a bad object. */
    LASTING
  }

  public ApiFault {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(retryAfter, "retryAfter");
    Objects.requireNonNull(cause, "cause");
  }

  public static ApiFault transientFault(String cause, Optional<Duration> retryAfter) {
    return new ApiFault(Kind.TRANSIENT, retryAfter, cause);
  }

  public static ApiFault conflict(String cause) {
    return new ApiFault(Kind.CONFLICT, Optional.empty(), cause);
  }

  public static ApiFault lasting(String cause) {
    return new ApiFault(Kind.LASTING, Optional.empty(), cause);
  }

  /** True for the faults the retry policy is asked about. */
  public boolean retryable() {
    return kind != Kind.LASTING;
  }
}
