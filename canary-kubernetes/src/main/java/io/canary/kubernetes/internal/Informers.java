package io.canary.kubernetes.internal;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for a namespace's informers to hold its objects, with an error that says what to check. */
final class Informers {
  private Informers() {}

  static void awaitSynced(CompletableFuture<Void> synced, String namespace, Duration timeout, String kinds) {
    try {
      synced.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesClientException("interrupted while starting the watches of namespace " + namespace, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new KubernetesClientException("could not start the watches (" + kinds + ") of namespace " + namespace
          + " within " + timeout + "; check that the runner may list and watch them there", e);
    }
  }
}
