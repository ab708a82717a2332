package io.canary.core.spi;

import java.util.Optional;

/**
 * Tells which kind of fault an exception from an adapter is, so that core can retry it or not
 * without knowing the adapter's client library. canary-client provides the one for fabric8's
 * {@code KubernetesClientException} (found through {@link java.util.ServiceLoader} when it is on the
 * class path, which every Kubernetes adapter brings); core itself knows its own exceptions, the JDK's
 * I/O exceptions and timeouts. Set one of your own with {@code CanaryRunner.Builder.faultClassifier}.
 */
@FunctionalInterface
public interface FaultClassifier {
  /**
   * The kind of {@code failure} (the exception itself, not its causes: the runner walks the cause
   * chain and asks about each), or empty when this classifier does not know that exception.
   */
  Optional<ApiFault> classify(Throwable failure);
}
