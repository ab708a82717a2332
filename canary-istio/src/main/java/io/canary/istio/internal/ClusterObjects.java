package io.canary.istio.internal;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads and writes routing objects as untyped trees, each at the API version it is served at. The
 * version an object was found at is remembered, so later reads take one request.
 */
final class ClusterObjects {
  private final KubernetesClient client;
  private final Map<ObjectRef, ResourceDefinitionContext> servedAt = new ConcurrentHashMap<>();

  ClusterObjects(KubernetesClient client) {
    this.client = client;
  }

  Optional<GenericKubernetesResource> find(ObjectRef ref) {
    ResourceDefinitionContext known = servedAt.get(ref);
    if (known != null) {
      GenericKubernetesResource found = get(known, ref);
      if (found != null) {
        return Optional.of(found);
      }
      servedAt.remove(ref);
    }
    for (ResourceDefinitionContext version : ref.kind().versions()) {
      if (version == known) {
        continue;
      }
      GenericKubernetesResource found = get(version, ref);
      if (found != null) {
        servedAt.put(ref, version);
        return Optional.of(found);
      }
    }
    return Optional.empty();
  }

  /**
   * Writes {@code changed} back at the version it was read at, with its resourceVersion: the API server
   * answers 409 when someone else wrote the object since it was read.
   */
  void update(ObjectRef ref, GenericKubernetesResource changed) {
    client.genericKubernetesResources(contextOf(ref, changed)).inNamespace(ref.namespace()).resource(changed).update();
  }

  /** The API version {@code ref} is served at (found with a read the first time). */
  Optional<ResourceDefinitionContext> servedAt(ObjectRef ref) {
    ResourceDefinitionContext known = servedAt.get(ref);
    return known != null ? Optional.of(known) : find(ref).map(found -> servedAt.get(ref));
  }

  KubernetesClient client() {
    return client;
  }

  GenericKubernetesResource copy(GenericKubernetesResource resource) {
    return client.getKubernetesSerialization().clone(resource);
  }

  String asJson(Object tree) {
    return client.getKubernetesSerialization().asJson(tree);
  }

  String asYaml(GenericKubernetesResource resource) {
    return client.getKubernetesSerialization().asYaml(resource);
  }

  private GenericKubernetesResource get(ResourceDefinitionContext version, ObjectRef ref) {
    return client.genericKubernetesResources(version).inNamespace(ref.namespace()).withName(ref.name()).get();
  }

  private ResourceDefinitionContext contextOf(ObjectRef ref, GenericKubernetesResource resource) {
    for (ResourceDefinitionContext version : ref.kind().versions()) {
      if (RoutingKind.apiVersionOf(version).equals(resource.getApiVersion())) {
        return version;
      }
    }
    throw new IllegalStateException(ref + " was read at unknown apiVersion " + resource.getApiVersion());
  }
}
