package io.canary.testing.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The Deployment and ReplicaSet controllers' writes, kept in the {@link ClusterState} from the
 * server's answer so the rest of a pass sees them without reading again. It counts them, because a
 * pass that wrote nothing ends the reconcile, and a write refused for a stale resourceVersion is
 * not an error but a request for a fresh read and another pass.
 */
final class ControllerWrites {
  private final ClusterState state;
  private final KubernetesClient client;
  private final Consumer<HasMetadata> deleted;
  private boolean conflicted;
  private int count;

  /** {@code deleted} hears of each object deleted, so what is kept about it can go too. */
  ControllerWrites(ClusterState state, KubernetesClient client, Consumer<HasMetadata> deleted) {
    this.state = state;
    this.client = client;
    this.deleted = deleted;
  }

  /**
   * Makes {@code call} with the controllers' client and records the answer; on a stale
   * resourceVersion, asks for a fresh read instead and returns null.
   */
  <T extends HasMetadata> T write(T intended, Function<KubernetesClient, T> call) {
    try {
      T written = call.apply(client);
      state.put(written);
      count++;
      return written;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        state.markDirty(intended);
        conflicted = true;
        return null;
      }
      throw e;
    }
  }

  /** Deletes {@code o}; one already gone counts as deleted. */
  void delete(HasMetadata o) {
    count++;
    try {
      client.resource(o).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
    state.remove(o);
    deleted.accept(o);
  }

  void startReconcile() {
    conflicted = false;
  }

  void startPass() {
    count = 0;
  }

  int count() {
    return count;
  }

  boolean conflicted() {
    return conflicted;
  }
}
