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
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable t = failure; t != null && seen.put(t, true) == null; t = t.getCause()) {
      for (FaultClassifier c : classifiers) {
        Optional<ApiFault> fault = c.classify(t);
        if (fault.isPresent()) {
          return fault.get();
        }
      }
    }
    return ApiFault.lasting(String.valueOf(failure.getMessage()));
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
