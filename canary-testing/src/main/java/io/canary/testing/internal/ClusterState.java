package io.canary.testing.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulator's in-memory view of the objects it reads, so that idle ticks make no API call.
 * Objects the simulator writes itself are put here from the server's answer; a write by anyone
 * else marks the object (or, for a create or a collection delete, its collection) dirty, and
 * {@link #refresh()} reads exactly those again. Only the scheduler's thread reads and refreshes;
 * {@link #markDirty} is called from the server's threads.
 */
public final class ClusterState {
  /** The kinds the controllers and the router read, with the API paths they are served at. */
  public enum Kind {
    DEPLOYMENT("deployments", Deployment.class, "/apis/apps/v1"),
    REPLICA_SET("replicasets", ReplicaSet.class, "/apis/apps/v1"),
    POD("pods", Pod.class, "/api/v1"),
    SERVICE("services", Service.class, "/api/v1"),
    HPA("horizontalpodautoscalers", HorizontalPodAutoscaler.class, "/apis/autoscaling/v2"),
    // Any version, read as the class of its version (see IstioObjects): the mock converts nothing.
    VIRTUAL_SERVICE("virtualservices", HasMetadata.class, "/apis/networking.istio.io/"),
    DESTINATION_RULE("destinationrules", HasMetadata.class, "/apis/networking.istio.io/"),
    // Gateway API objects at v1 only (the version the routers write; the mock converts nothing).
    HTTP_ROUTE("httproutes", HTTPRoute.class, "/apis/gateway.networking.k8s.io/v1"),
    GRPC_ROUTE("grpcroutes", GRPCRoute.class, "/apis/gateway.networking.k8s.io/v1"),
    GATEWAY("gateways", Gateway.class, "/apis/gateway.networking.k8s.io/v1");

    final String plural;
    final Class<? extends HasMetadata> type;
    private final String apiPathPrefix;

    Kind(String plural, Class<? extends HasMetadata> type, String apiPathPrefix) {
      this.plural = plural;
      this.type = type;
      this.apiPathPrefix = apiPathPrefix;
    }

    /** A prefix ending in '/' covers every version of a group; any other names one version exactly. */
    static Optional<Kind> of(String apiPath, String plural) {
      for (Kind k : values()) {
        boolean served = k.apiPathPrefix.endsWith("/") ? apiPath.startsWith(k.apiPathPrefix) : apiPath.equals(k.apiPathPrefix);
        if (k.plural.equals(plural) && served) {
          return Optional.of(k);
        }
      }
      return Optional.empty();
    }
  }

  /** Where an object lives on the server; {@code name} is null for a whole collection. */
  record Location(String apiPath, String namespace, Kind kind, String name) {
    String path() {
      return apiPath + "/namespaces/" + namespace + "/" + kind.plural + (name == null ? "" : "/" + name);
    }

    Location collection() {
      return new Location(apiPath, namespace, kind, null);
    }
  }

  private final Map<Kind, Map<Location, HasMetadata>> objects = new EnumMap<>(Kind.class);
  private final Set<Location> dirty = ConcurrentHashMap.newKeySet();
  private final HttpClient http;
  private final URI base;
  private final KubernetesSerialization serialization;
  private long version;

  public ClusterState(URI base, KubernetesSerialization serialization) {
    this.base = base;
    this.serialization = serialization;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    for (Kind k : Kind.values()) {
      objects.put(k, new LinkedHashMap<>());
    }
  }

  /** Increases whenever an object in the view changes; routing tables are rebuilt when it moves. */
  public long version() {
    return version;
  }

  /** Marks a change the simulator made outside the objects (what a data plane was programmed with). */
  public void changed() {
    version++;
  }

  /** Called for every successful write seen by the server that the simulator did not make itself. */
  public void markDirty(String method, String path) {
    RequestPath.parse(path).ifPresent(p -> Kind.of(p.apiPath(), p.plural()).ifPresent(kind -> {
      boolean wholeCollection = method.equals("POST") || p.name() == null;
      dirty.add(new Location(p.apiPath(), p.namespace(), kind, wholeCollection ? null : p.name()));
    }));
  }

  public boolean isDirty() {
    return !dirty.isEmpty();
  }

  /** Reads again everything marked dirty; true when the view changed. */
  public boolean refresh() {
    if (dirty.isEmpty()) {
      return false;
    }
    List<Location> toRead = new ArrayList<>(dirty);
    dirty.removeAll(toRead);
    for (Location l : toRead) {
      if (l.name() == null) {
        reloadCollection(l);
      } else {
        String json = get(l.path());
        if (json == null) {
          objects.get(l.kind()).remove(l);
        } else {
          objects.get(l.kind()).put(l, serialization.unmarshal(json, l.kind().type));
        }
      }
    }
    version++;
    return true;
  }

  private void reloadCollection(Location collection) {
    Map<Location, HasMetadata> ofKind = objects.get(collection.kind());
    ofKind.keySet().removeIf(l -> l.collection().equals(collection));
    String json = get(collection.path());
    if (json == null) {
      return;
    }
    JsonNode items = serialization.unmarshal(json, JsonNode.class).path("items");
    for (JsonNode item : items) {
      HasMetadata o = serialization.convertValue(item, collection.kind().type);
      ofKind.put(new Location(collection.apiPath(), collection.namespace(), collection.kind(),
          o.getMetadata().getName()), o);
    }
  }

  private String get(String path) {
    try {
      HttpResponse<String> r = http.send(
          HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5))
              .header("User-Agent", SimulatorClients.USER_AGENT).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 404) {
        return null;
      }
      if (r.statusCode() >= 300) {
        throw new IllegalStateException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
      }
      return r.body();
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading " + path, e);
    }
  }

  /** Records an object the simulator wrote (the server's answer, with its new resourceVersion). */
  public void put(HasMetadata o) {
    location(o).ifPresent(l -> {
      objects.get(l.kind()).put(l, o);
      version++;
    });
  }

  /** Forgets an object the simulator deleted. */
  public void remove(HasMetadata o) {
    location(o).ifPresent(l -> {
      if (objects.get(l.kind()).remove(l) != null) {
        version++;
      }
    });
  }

  /** Asks for {@code o} to be read again at the next refresh (after a conflict, for example). */
  public void markDirty(HasMetadata o) {
    location(o).ifPresent(dirty::add);
  }

  private static Optional<Location> location(HasMetadata o) {
    String apiVersion = o.getApiVersion();
    String apiPath = apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion;
    return Kind.of(apiPath, HasMetadata.getPlural(o.getClass()))
        .map(k -> new Location(apiPath, o.getMetadata().getNamespace(), k, o.getMetadata().getName()));
  }

  @SuppressWarnings("unchecked")
  public <T extends HasMetadata> Collection<T> all(Kind kind) {
    return (Collection<T>) objects.get(kind).values();
  }

  public <T extends HasMetadata> List<T> inNamespace(Kind kind, String namespace) {
    List<T> out = new ArrayList<>();
    for (T o : this.<T>all(kind)) {
      if (namespace.equals(o.getMetadata().getNamespace())) {
        out.add(o);
      }
    }
    return out;
  }

  /** The objects of {@code kind} that {@code owner} controls, by name. */
  public <T extends HasMetadata> List<T> ownedBy(HasMetadata owner, Kind kind) {
    String uid = Labels.identity(owner);
    List<T> out = new ArrayList<>();
    for (T o : this.<T>inNamespace(kind, owner.getMetadata().getNamespace())) {
      if (Labels.owner(o).map(uid::equals).orElse(false)) {
        out.add(o);
      }
    }
    out.sort(Comparator.comparing(o -> o.getMetadata().getName()));
    return out;
  }

  public <T extends HasMetadata> Optional<T> get(Kind kind, String namespace, String name) {
    for (T o : this.<T>all(kind)) {
      if (namespace.equals(o.getMetadata().getNamespace()) && name.equals(o.getMetadata().getName())) {
        return Optional.of(o);
      }
    }
    return Optional.empty();
  }
}
