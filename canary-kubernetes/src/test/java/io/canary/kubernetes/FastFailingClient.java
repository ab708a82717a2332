package io.canary.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.function.Consumer;

/** A request the in-process API server never answers fails in seconds instead of being retried. */
public final class FastFailingClient implements Consumer<KubernetesClientBuilder> {
  @Override
  public void accept(KubernetesClientBuilder builder) {
    builder.editOrNewConfig().withRequestRetryBackoffLimit(0).withRequestTimeout(5_000).endConfig();
  }
}
