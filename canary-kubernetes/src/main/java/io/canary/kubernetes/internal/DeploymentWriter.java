package io.canary.kubernetes.internal;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
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
 * Reads Deployments from the namespace's cache and writes them with JSON Patches guarded by the
 * cached resourceVersion, never with a PUT (which would send every field, and which the in-process
 * API server answers by erasing the status). A patch that would change nothing is not sent. On a
 * conflict (the cached copy was stale) the object is read from the API server and the patch computed
 * again from what it holds now, so a concurrent edit by someone else is built upon, never overwritten.
 * What the server answers to each write is the newest known copy until the informer has seen it.
 */
final class DeploymentWriter {
  private static final Logger LOG = LoggerFactory.getLogger(DeploymentWriter.class);
  private static final int ATTEMPTS = 5;

  private final KubernetesClient client;
  private final Function<String, NamespaceInformers> caches;
  private final Consumer<Deployment> written;

  /**
   * @param caches the synced caches of a namespace
   * @param written told of every Deployment as a patch of this writer left it
   */
  DeploymentWriter(KubernetesClient client, Function<String, NamespaceInformers> caches, Consumer<Deployment> written) {
    this.client = client;
    this.caches = caches;
    this.written = written;
  }

  /** The Deployment as last seen, from the cache. */
  Optional<Deployment> cached(String namespace, String name) {
    return caches.apply(namespace).deployment(name);
  }

  /**
   * The Deployment from the cache; one the cache does not hold (yet) is read from the API server, so a
   * Deployment created a moment ago, before the informer has seen it, is found.
   */
  Optional<Deployment> get(String namespace, String name) {
    Optional<Deployment> cached = cached(namespace, name);
    return cached.isPresent() ? cached : read(namespace, name);
  }

  /** Creates {@code desired}; the server's answer is read from the cache at once. */
  Deployment create(Deployment desired) {
    String namespace = desired.getMetadata().getNamespace();
    Deployment created = client.apps().deployments().inNamespace(namespace).resource(desired).create();
    caches.apply(namespace).wrote(created);
    return created;
  }

  /** Deletes {@code deployment} (as last read), its ReplicaSets in the background; gone from the cache at once. */
  void delete(Deployment deployment) {
    String namespace = deployment.getMetadata().getNamespace();
    client.apps().deployments().inNamespace(namespace).withName(deployment.getMetadata().getName())
        .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
    caches.apply(namespace).deleted(deployment);
  }

  /**
   * Applies the patch {@code change} computes from the Deployment as last seen (a patch that changes
   * nothing is not sent). Returns false when the Deployment does not exist.
   */
  boolean patch(String namespace, String name, Function<Deployment, JsonPatch> change) {
    Optional<Deployment> current = get(namespace, name);
    for (int attempt = 1; ; attempt++) {
      if (current.isEmpty()) {
        return false;
      }
      JsonPatch patch = change.apply(current.get());
      if (!patch.changesAnything()) {
        return true;
      }
      try {
        // through the object read, so that the client reads nothing before the write
        Deployment result = client.apps().deployments().inNamespace(namespace).resource(current.get())
            .patch(PatchContext.of(PatchType.JSON), patch.toString());
        if (result != null) {
          caches.apply(namespace).wrote(result);
          written.accept(result);
        }
        LOG.debug("Patched Deployment {}/{}: {}", namespace, name, patch);
        return true;
      } catch (KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
          return false;
        }
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == ATTEMPTS) {
          throw e;
        }
        LOG.debug("Deployment {}/{} changed since it was cached; reading it again", namespace, name);
        current = read(namespace, name);
      }
    }
  }

  private Optional<Deployment> read(String namespace, String name) {
    return Optional.ofNullable(client.apps().deployments().inNamespace(namespace).withName(name).get());
  }
}
