package io.canary.kubernetes.internal;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes Deployments with JSON Patches guarded by resourceVersion, never with a PUT (which would send
 * every field, and which the in-process API server answers by erasing the status). On a conflict the
 * object is read again and the patch computed again from what it holds now, so a concurrent edit by
 * someone else is built upon, never overwritten.
 */
final class DeploymentWriter {
  private static final Logger LOG = LoggerFactory.getLogger(DeploymentWriter.class);
  private static final int ATTEMPTS = 5;

  private final KubernetesClient client;
  private final Consumer<Deployment> written;

  /** @param written told of every Deployment as a patch of this writer left it */
  DeploymentWriter(KubernetesClient client, Consumer<Deployment> written) {
    this.client = client;
    this.written = written;
  }

  Optional<Deployment> get(String namespace, String name) {
    return Optional.ofNullable(client.apps().deployments().inNamespace(namespace).withName(name).get());
  }

  /**
   * Applies the patch {@code change} computes from the Deployment as it is (empty patch: nothing to do).
   * Returns false when the Deployment does not exist.
   */
  boolean patch(String namespace, String name, Function<Deployment, JsonPatch> change) {
    for (int attempt = 1; ; attempt++) {
      Optional<Deployment> current = get(namespace, name);
      if (current.isEmpty()) {
        return false;
      }
      JsonPatch patch = change.apply(current.get());
      if (!patch.changesAnything()) {
        return true;
      }
      try {
        Deployment result = client.apps().deployments().inNamespace(namespace).withName(name)
            .patch(PatchContext.of(PatchType.JSON), patch.toString());
        if (result != null) {
          written.accept(result);
        }
        LOG.debug("Patched Deployment {}/{}: {}", namespace, name, patch);
        return true;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == ATTEMPTS) {
          throw e;
        }
        LOG.debug("Deployment {}/{} changed while being patched; reading it again", namespace, name);
      }
    }
  }
}
