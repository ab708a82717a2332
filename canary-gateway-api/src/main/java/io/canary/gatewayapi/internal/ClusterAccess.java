package io.canary.gatewayapi.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canary.gatewayapi.RouteKind;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads (GETs, LISTs) and writes routes, Services and ReferenceGrants, each write guarded by its resourceVersion. */
final class ClusterAccess {
  /** ReferenceGrant is v1 since Gateway API v1.5; older installations serve v1beta1 only. */
  private static final List<String> REFERENCE_GRANT_VERSIONS = List.of("v1", "v1beta1");

  private static final ResourceDefinitionContext SERVICES = ResourceDefinitionContext.fromResourceType(Service.class);

  private final KubernetesClient client;
  private final KubernetesSerialization serialization;

  ClusterAccess(KubernetesClient client) {
    this.client = client;
    this.serialization = client.getKubernetesSerialization();
  }

  KubernetesClient client() {
    return client;
  }

  /** A GET of the route; {@link CachedObjects} reads from its informers instead, this when they do not hold it. */
  Optional<GenericKubernetesResource> route(RouteKey key) {
    return Optional.ofNullable(client.genericKubernetesResources(key.context()).inNamespace(key.namespace()).withName(key.name()).get());
  }

  Optional<GenericKubernetesResource> service(String namespace, String name) {
    return Optional.ofNullable(client.genericKubernetesResources(SERVICES).inNamespace(namespace).withName(name).get());
  }

  /** Every ReferenceGrant of {@code namespace}, at each version it is served at. */
  List<ObjectNode> referenceGrants(String namespace) {
    List<ObjectNode> grants = new ArrayList<>();
    for (String version : REFERENCE_GRANT_VERSIONS) {
      ResourceDefinitionContext context = new ResourceDefinitionContext.Builder().withGroup(RouteKind.GROUP).withVersion(version)
          .withKind("ReferenceGrant").withPlural("referencegrants").withNamespaced(true).build();
      client.genericKubernetesResources(context).inNamespace(namespace).list().getItems().forEach(g -> grants.add(tree(g)));
    }
    return grants;
  }

  /**
   * Writes a route back with the resourceVersion it was read at: 409 when someone else wrote it since.
   * Returns the route as the server now holds it.
   */
  GenericKubernetesResource updateRoute(RouteKey key, ObjectNode route) {
    GenericKubernetesResource resource = serialization.convertValue(route, GenericKubernetesResource.class);
    return client.genericKubernetesResources(key.context()).inNamespace(key.namespace()).resource(resource).update();
  }

  GenericKubernetesResource updateService(String namespace, ObjectNode service) {
    GenericKubernetesResource resource = serialization.convertValue(service, GenericKubernetesResource.class);
    return client.genericKubernetesResources(SERVICES).inNamespace(namespace).resource(resource).update();
  }

  ObjectNode tree(HasMetadata object) {
    return serialization.convertValue(object, ObjectNode.class);
  }

  String asYaml(ObjectNode object) {
    return serialization.asYaml(object);
  }
}
