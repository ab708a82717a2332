package io.canary.testing.internal;

import io.canary.testing.GatewayApiImplementation;
import io.canary.testing.GatewayApiImplementation.Refusal;
import io.canary.testing.internal.ClusterState.Kind;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A Gateway API implementation on virtual time: a status delay after a route's generation changes, it
 * judges the route for each parent that exists (a Gateway, a Service), programs what a parent accepts
 * (traffic follows that, see {@link #programmedFor}) and writes the route's status. Parents it cannot
 * resolve get no status entry, as the API says.
 */
public final class GatewayApiController {
  private static final String GROUP = "gateway.networking.k8s.io";

  /** A route of either kind. */
  private record RouteId(Kind kind, String namespace, String name) {}

  /** A parent: {@code Gateway ns/name} or {@code Service ns/name}. */
  public record ParentId(String kind, String namespace, String name) {}

  private record Pending(RouteId route, long generation) {}

  private final ClusterState state;
  private final KubernetesClient client;
  private final Supplier<Instant> clock;
  private final Consumer<Instant> wakeUpAt;
  private final GatewayApiImplementation settings;
  private final Map<RouteId, Long> judged = new HashMap<>();
  private final Map<Pending, Instant> due = new HashMap<>();
  private final Map<ParentId, Map<String, HTTPRoute>> programmed = new HashMap<>();

  public GatewayApiController(ClusterState state, KubernetesClient client, Supplier<Instant> clock, Consumer<Instant> wakeUpAt,
      GatewayApiImplementation settings) {
    this.state = state;
    this.client = client;
    this.clock = clock;
    this.wakeUpAt = wakeUpAt;
    this.settings = settings;
  }

  /** Judges every route again (a parent's answer changed). */
  public synchronized void judgeAgain() {
    judged.clear();
  }

  /** The HTTPRoutes {@code parent} has programmed, by {@code namespace/name}, in that order. */
  public synchronized Collection<HTTPRoute> programmedFor(ParentId parent) {
    return List.copyOf(programmed.getOrDefault(parent, Map.of()).values());
  }

  public synchronized void reconcile() {
    Set<RouteId> present = new HashSet<>();
    Instant now = clock.get();
    for (Kind kind : List.of(Kind.HTTP_ROUTE, Kind.GRPC_ROUTE)) {
      for (HasMetadata route : state.<HasMetadata>all(kind)) {
        RouteId id = new RouteId(kind, route.getMetadata().getNamespace(), route.getMetadata().getName());
        present.add(id);
        long generation = generation(route);
        if (judged.containsKey(id) && judged.get(id) == generation) {
          continue;
        }
        Instant at = due.computeIfAbsent(new Pending(id, generation), p -> now.plus(settings.statusDelay()));
        if (now.isBefore(at)) {
          wakeUpAt.accept(at);
        } else if (judge(id, route, now)) {
          judged.put(id, generation);
          due.keySet().removeIf(p -> p.route().equals(id) && p.generation() <= generation);
        }
      }
    }
    forgetDeleted(present);
  }

  /** Programs what each parent accepts and writes the status; false when the write met a newer object. */
  private boolean judge(RouteId id, HasMetadata route, Instant now) {
    List<RouteParentStatus> parents = new ArrayList<>();
    for (ParentReference ref : parentRefs(route)) {
      ParentId parent = parentOf(ref, id.namespace());
      Optional<String> unresolved = resolve(parent, ref);
      if (unresolved.isPresent() && unresolved.get().isEmpty()) {
        continue; // not a parent this implementation knows: no status entry
      }
      Optional<Refusal> refusal = unresolved.map(reason -> new Refusal("NoMatchingParent", reason))
          .or(() -> settings.refusal(parent.kind(), parent.namespace(), parent.name()));
      List<String> missing = missingBackends(route, id.namespace());
      long generation = generation(route);
      List<Condition> conditions = List.of(
          condition("Accepted", refusal.isEmpty(), refusal.map(Refusal::reason).orElse("Accepted"),
              refusal.map(Refusal::message).orElse("accepted by " + parent.kind() + " " + parent.namespace() + "/" + parent.name()),
              generation, now),
          condition("ResolvedRefs", missing.isEmpty(), missing.isEmpty() ? "ResolvedRefs" : "BackendNotFound",
              missing.isEmpty() ? "all references resolved" : "backends not found: " + missing, generation, now));
      if (refusal.isEmpty() && route instanceof HTTPRoute http) {
        programmed.computeIfAbsent(parent, p -> new TreeMap<>()).put(id.namespace() + "/" + id.name(), http);
        state.changed();
      }
      parents.add(new RouteParentStatusBuilder().withControllerName(GatewayApiImplementation.CONTROLLER_NAME)
          .withParentRef(withDefaults(ref)).withConditions(conditions).build());
    }
    return !settings.writesStatus() || writeStatus(route, parents);
  }

  private boolean writeStatus(HasMetadata route, List<RouteParentStatus> parents) {
    HasMetadata copy = client.getKubernetesSerialization().clone(route);
    if (copy instanceof HTTPRoute http) {
      http.setStatus(new HTTPRouteStatus(parents));
    } else if (copy instanceof GRPCRoute grpc) {
      grpc.setStatus(new GRPCRouteStatus(parents));
    }
    try {
      state.put(client.resource(copy).updateStatus());
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      state.markDirty(route); // changed since it was read: judged again once read again
      return false;
    }
  }

  /** Empty: the parent resolves. A blank reason: no such parent. Otherwise why the section does not match. */
  private Optional<String> resolve(ParentId parent, ParentReference ref) {
    if (parent.kind().equals("Service")) {
      return state.get(Kind.SERVICE, parent.namespace(), parent.name()).isPresent() ? Optional.empty() : Optional.of("");
    }
    if (!parent.kind().equals("Gateway")) {
      return Optional.of("");
    }
    Optional<Gateway> gateway = state.get(Kind.GATEWAY, parent.namespace(), parent.name());
    if (gateway.isEmpty()) {
      return Optional.of("");
    }
    if (ref.getSectionName() != null && gateway.get().getSpec().getListeners().stream()
        .noneMatch(l -> ref.getSectionName().equals(l.getName()))) {
      return Optional.of("Gateway " + parent.namespace() + "/" + parent.name() + " has no listener '" + ref.getSectionName() + "'");
    }
    return Optional.empty();
  }

  private List<String> missingBackends(HasMetadata route, String namespace) {
    List<String> missing = new ArrayList<>();
    for (BackendTarget backend : BackendTarget.all(route, namespace)) {
      if (backend.isService() && state.get(Kind.SERVICE, backend.namespace(), backend.name()).isEmpty()) {
        missing.add("Service " + backend.namespace() + "/" + backend.name());
      }
    }
    return missing;
  }

  private void forgetDeleted(Set<RouteId> present) {
    judged.keySet().retainAll(present);
    due.keySet().removeIf(p -> !present.contains(p.route()));
    for (Map<String, HTTPRoute> routes : programmed.values()) {
      if (routes.keySet().removeIf(key -> present.stream().noneMatch(id -> id.kind() == Kind.HTTP_ROUTE
          && key.equals(id.namespace() + "/" + id.name())))) {
        state.changed();
      }
    }
  }

  static List<ParentReference> parentRefs(HasMetadata route) {
    List<ParentReference> refs = route instanceof HTTPRoute http && http.getSpec() != null ? http.getSpec().getParentRefs()
        : route instanceof GRPCRoute grpc && grpc.getSpec() != null ? grpc.getSpec().getParentRefs() : null;
    return refs == null ? List.of() : refs;
  }

  /** The parent a parentRef names, with the API's defaults: group gateway.networking.k8s.io, kind Gateway, the route's namespace. */
  public static ParentId parentOf(ParentReference ref, String routeNamespace) {
    String group = ref.getGroup() == null ? GROUP : ref.getGroup();
    String kind = ref.getKind() == null ? "Gateway" : ref.getKind();
    String namespace = ref.getNamespace() == null ? routeNamespace : ref.getNamespace();
    boolean known = (group.equals(GROUP) && kind.equals("Gateway")) || (group.isEmpty() && kind.equals("Service"));
    return new ParentId(known ? kind : group + "/" + kind, namespace, ref.getName());
  }

  /** The parentRef as a real API server returns it: group and kind defaulted. */
  private static ParentReference withDefaults(ParentReference ref) {
    return new ParentReferenceBuilder(ref).withGroup(ref.getGroup() == null ? GROUP : ref.getGroup())
        .withKind(ref.getKind() == null ? "Gateway" : ref.getKind()).build();
  }

  private static Condition condition(String type, boolean ok, String reason, String message, long generation, Instant now) {
    return new ConditionBuilder().withType(type).withStatus(ok ? "True" : "False").withReason(reason).withMessage(message)
        .withObservedGeneration(generation).withLastTransitionTime(now.toString()).build();
  }

  private static long generation(HasMetadata route) {
    Long generation = route.getMetadata().getGeneration();
    return generation == null ? 0 : generation;
  }
}
