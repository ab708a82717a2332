package io.canary.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.istio.api.api.networking.v1alpha3.VirtualService;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a VirtualService (any API version): the weights of its http routes, and that what
 * a router does not own is as the user wrote it.
 */
public final class VirtualServiceAssert extends AbstractAssert<VirtualServiceAssert, VirtualService> {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private final ObjectMeta metadata;

  VirtualServiceAssert(ObjectMeta metadata, VirtualService spec) {
    super(spec, VirtualServiceAssert.class);
    this.metadata = metadata;
  }

  private String name() {
    return "VirtualService " + (metadata == null ? "?" : metadata.getNamespace() + "/" + metadata.getName());
  }

  private HTTPRoute route(String routeName) {
    isNotNull();
    if (actual.getHttp() != null) {
      for (HTTPRoute r : actual.getHttp()) {
        if (Objects.equals(routeName, r.getName())) {
          return r;
        }
      }
    }
    failWithMessage("Expected %s to have an http route named <%s> but its http routes are %s", name(), routeName,
        routeNames());
    return null;
  }

  private List<String> routeNames() {
    List<String> names = new ArrayList<>();
    if (actual.getHttp() != null) {
      actual.getHttp().forEach(r -> names.add(r.getName()));
    }
    return names;
  }

  /** The http routes are these, by name, in this order. */
  public VirtualServiceAssert hasHttpRouteNames(String... expected) {
    isNotNull();
    if (!routeNames().equals(Arrays.asList(expected))) {
      failWithMessage("Expected %s to have the http routes %s but it has %s", name(), Arrays.asList(expected),
          routeNames());
    }
    return this;
  }

  /** The destinations of route {@code routeName} carry these weights, in order. */
  public VirtualServiceAssert hasRouteWeights(String routeName, int... expected) {
    HTTPRoute r = route(routeName);
    List<Integer> weights = new ArrayList<>();
    for (HTTPRouteDestination d : r.getRoute()) {
      weights.add(d.getWeight() == null ? 0 : d.getWeight());
    }
    List<Integer> want = Arrays.stream(expected).boxed().toList();
    if (!weights.equals(want)) {
      failWithMessage("Expected the weights of route <%s> of %s to be %s but they are %s", routeName, name(), want,
          weights);
    }
    return this;
  }

  /** In route {@code routeName}, the destination {@code host} (and {@code subset}, may be null) has this weight. */
  public VirtualServiceAssert hasDestinationWeight(String routeName, String host, String subset, int expected) {
    HTTPRoute r = route(routeName);
    for (HTTPRouteDestination d : r.getRoute()) {
      if (host.equals(d.getDestination().getHost()) && Objects.equals(subset, d.getDestination().getSubset())) {
        int w = d.getWeight() == null ? 0 : d.getWeight();
        if (w != expected) {
          failWithMessage("Expected destination %s%s of route <%s> of %s to weigh %s but it weighs %s", host,
              subset == null ? "" : "/" + subset, routeName, name(), expected, w);
        }
        return this;
      }
    }
    failWithMessage("Expected route <%s> of %s to have a destination %s%s but it has none", routeName, name(), host,
        subset == null ? "" : "/" + subset);
    return this;
  }

  /**
   * Like {@link #hasSameUnownedFieldsAs(ObjectMeta, VirtualService, String...)}, with the seed a
   * VirtualService resource of any API version (as loaded from the user's YAML).
   */
  public VirtualServiceAssert hasSameUnownedFieldsAs(io.fabric8.kubernetes.api.model.HasMetadata seed,
      String... addedRoutes) {
    io.fabric8.istio.api.networking.v1.VirtualService vs =
        SERIALIZATION.convertValue(seed, io.fabric8.istio.api.networking.v1.VirtualService.class);
    return hasSameUnownedFieldsAs(vs.getMetadata(), vs.getSpec(), addedRoutes);
  }

  /**
   * Everything a router does not own equals {@code seed}: the spec with the destination weights
   * left out and the http routes named {@code addedRoutes} (header or mirror routes a rollout adds)
   * removed, and the labels and annotations (apart from {@code canary.io/} annotations).
   */
  public VirtualServiceAssert hasSameUnownedFieldsAs(ObjectMeta seedMetadata, VirtualService seedSpec,
      String... addedRoutes) {
    isNotNull();
    JsonNode expected = unowned(seedSpec, Set.of());
    JsonNode found = unowned(actual, Set.of(addedRoutes));
    if (!expected.equals(found)) {
      failWithMessage("Expected %s to keep the fields it does not own as written:%n  written: %s%n  now:     %s",
          name(), expected, found);
    }
    if (metadata != null && seedMetadata != null) {
      if (!Objects.equals(orEmpty(seedMetadata.getLabels()), orEmpty(metadata.getLabels()))) {
        failWithMessage("Expected %s to keep its labels %s but it has %s", name(), seedMetadata.getLabels(),
            metadata.getLabels());
      }
      if (!userAnnotations(seedMetadata).equals(userAnnotations(metadata))) {
        failWithMessage("Expected %s to keep its annotations %s but it has %s", name(), userAnnotations(seedMetadata),
            userAnnotations(metadata));
      }
    }
    return this;
  }

  private static Map<String, String> orEmpty(Map<String, String> m) {
    return m == null ? Map.of() : m;
  }

  private static Map<String, String> userAnnotations(ObjectMeta m) {
    Map<String, String> out = new HashMap<>(orEmpty(m.getAnnotations()));
    out.keySet().removeIf(k -> k.startsWith("canary.io/"));
    return out;
  }

  private static JsonNode unowned(VirtualService spec, Set<String> addedRoutes) {
    JsonNode tree = SERIALIZATION.convertValue(spec, JsonNode.class);
    for (String kind : List.of("http", "tls", "tcp")) {
      JsonNode routes = tree.path(kind);
      if (!(routes instanceof ArrayNode array)) {
        continue;
      }
      for (Iterator<JsonNode> it = array.iterator(); it.hasNext(); ) {
        JsonNode route = it.next();
        if (kind.equals("http") && addedRoutes.contains(route.path("name").asText(null))) {
          it.remove();
          continue;
        }
        for (JsonNode destination : route.path("route")) {
          ((ObjectNode) destination).remove("weight");
        }
      }
    }
    return tree;
  }
}
