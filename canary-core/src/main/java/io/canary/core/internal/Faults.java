package io.canary.core.internal;

import io.canary.core.CanaryValidationException;
import io.canary.core.ConflictException;
import io.canary.core.spi.ApiFault;
import io.canary.core.spi.FaultClassifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.TimeoutException;

/**
 * The runner's classifiers put together: the host's own first, then those found through {@link
 * ServiceLoader} (canary-client's for fabric8), then what core knows itself. The cause chain is
 * walked from the outside in, and the first exception a classifier knows decides; one that none
 * knows is a lasting fault.
 */
public final class Faults {
  private final List<FaultClassifier> classifiers;

  private Faults(List<FaultClassifier> classifiers) {
    this.classifiers = List.copyOf(classifiers);
  }

  /** {@code own} (may be empty), then every {@link FaultClassifier} on the class path, then core's. */
  public static Faults of(List<FaultClassifier> own) {
    List<FaultClassifier> all = new ArrayList<>(own);
    ServiceLoader.load(FaultClassifier.class, Faults.class.getClassLoader()).forEach(all::add);
    all.add(Faults::core);
    return new Faults(all);
  }

  public ApiFault classify(Throwable failure) {
    return classifyCall(failure).fault();
  }

  /**
   * A fault, and which call failed: the message of the exception that was classified, without the
   * server's answer ({@code GET at: https://.../deployments/web}), so that a run of failures can be
   * told apart from failures of one call after another (each of which then succeeded).
   */
  public record Classified(ApiFault fault, String call) {}

  public Classified classifyCall(Throwable failure) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable t = failure; t != null && seen.put(t, true) == null; t = t.getCause()) {
      for (FaultClassifier c : classifiers) {
        Optional<ApiFault> fault = c.classify(t);
        if (fault.isPresent()) {
          return new Classified(fault.get(), callOf(t));
        }
      }
    }
    return new Classified(ApiFault.lasting(String.valueOf(failure.getMessage())), callOf(failure));
  }

  private static String callOf(Throwable t) {
    String message = String.valueOf(t.getMessage());
    for (String answer : new String[] {" Message:", ". Received status", "\n"}) {
      int at = message.indexOf(answer);
      if (at > 0) {
        message = message.substring(0, at);
      }
    }
    return t.getClass().getName() + ": " + message;
  }

  /** Core's own exceptions and the JDK's I/O failures and timeouts. */
  private static Optional<ApiFault> core(Throwable t) {
    if (t instanceof CanaryValidationException) {
      return Optional.of(ApiFault.lasting(t.getMessage()));
    }
    if (t instanceof ConflictException) {
      return Optional.of(ApiFault.conflict(t.getMessage()));
    }
    if (t instanceof IOException || t instanceof UncheckedIOException || t instanceof TimeoutException) {
      return Optional.of(ApiFault.transientFault(t.getClass().getSimpleName() + ": " + t.getMessage(), Optional.empty()));
    }
    return Optional.empty();
  }
}
