package io.canary.cli.internal;

import io.canary.core.time.Scheduler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;

/**
 * The cluster a command works on: its client and, in tests, the clock the rollouts run on (a virtual
 * one); closing closes the client when the connection made it.
 */
public record Connection(KubernetesClient client, Optional<Scheduler> scheduler, boolean ownsClient) implements AutoCloseable {
  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }
}
