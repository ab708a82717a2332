package io.canary.kubernetes.internal;

import io.canary.client.InformerFaults;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Waiting for a namespace's informers to hold its objects, with an error that names the last failure seen. */
final class Informers {
  private Informers() {}

  static void awaitSynced(CompletableFuture<Void> synced, String namespace, Duration timeout, String kinds,
      Supplier<Optional<Throwable>> lastFailure) {
    try {
      synced.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesClientException("interrupted while starting the watches of namespace " + namespace, e);
    } catch (ExecutionException e) {
      throw new KubernetesClientException("the watches (" + kinds + ") of namespace " + namespace + " stopped: "
          + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw InformerFaults.timedOut("(" + kinds + ") of namespace " + namespace, timeout, lastFailure.get(), e);
    }
  }
}
