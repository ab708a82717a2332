package io.canary.gatewayapi.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canary.core.CanaryException;
import io.canary.core.CanarySpec;
import io.canary.core.CanaryValidationException;
import io.canary.core.Problem;
import io.canary.core.RouteMatch;
import io.canary.core.Step;
import io.canary.core.spi.RenderedObject;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingState;
import io.canary.gatewayapi.GatewayApiStrategy;
import io.canary.gatewayapi.RouteKind;
import io.canary.gatewayapi.RouteRef;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads, checks and writes the routes and Services of a rollout; see {@code GatewayApiTrafficRouter}. */
public final class Router {
  private static final Logger LOG = LoggerFactory.getLogger(Router.class);
  private static final Set<String> HTTP_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

  private final CachedObjects objects;
  private final int conflictRetries;

  private Router(CachedObjects objects, int conflictRetries) {
    this.objects = objects;
    this.conflictRetries = conflictRetries;
  }

  public static Router create(KubernetesClient client, int conflictRetries) {
    return new Router(new CachedObjects(new ClusterAccess(client)), conflictRetries);
  }

  /** The routes and Services as the router's informers hold them, shared with the confirmations' watch. */
  CachedObjects objects() {
    return objects;
  }

  /** Stops the informers. */
  public void close() {
    objects.close();
  }

  /**
   * One object the router owns fields of: how to read it, check it, set its owned fields (true when
   * it now selects other pods) and write it back.
   */
  private record Target(String kind, String qualifiedName, boolean route, Supplier<Optional<ObjectNode>> read,
      Supplier<Optional<ObjectNode>> reread, Function<ObjectNode, List<Problem>> problems, BiPredicate<ObjectNode, RoutingState> apply,
      Consumer<ObjectNode> write) {
    String name() {
      return kind + " " + qualifiedName;
    }
  }

  private record Read(Target target, ObjectNode object) {}

  private record Change(Read read, ObjectNode desired, boolean selectsOtherPods) {}

  /** Every problem at once (reads only); a strategy of another router is the one problem. */
  public List<Problem> validate(CanarySpec spec) {
    return unsupportedStrategy(spec).map(List::of).orElseGet(() -> {
      List<Problem> problems = new ArrayList<>();
      List<Read> reads = read(spec, problems);
      if (problems.isEmpty()) {
        problems.addAll(crossNamespaceProblems(spec, reads));
      }
      return problems;
    });
  }

  public void apply(CanarySpec spec, RoutingState desired) {
    changes(spec, desired).forEach(change -> write(change, desired));
  }

  public List<RenderedObject> render(CanarySpec spec, RoutingState desired) {
    return changes(spec, desired).stream()
        .map(c -> new RenderedObject(c.read().target().kind(), c.read().target().qualifiedName(), objects.cluster().asYaml(c.desired())))
        .toList();
  }

  public List<RouteWeight> currentWeights(CanarySpec spec) {
    List<RouteWeight> weights = new ArrayList<>();
    for (RouteFields fields : routeFields(spec)) {
      ObjectNode route = objects.route(fields.key())
          .orElseThrow(() -> invalid(spec, List.of(Problem.of(fields.key().toString(), "not found"))));
      weights.add(fields.weights(route));
    }
    return weights;
  }

  /** The owned fields of every route of the rollout, for the confirmation of what the cache holds. */
  public List<RouteFields> routeFields(CanarySpec spec) {
    unsupportedStrategy(spec).ifPresent(problem -> {
      throw invalid(spec, List.of(problem));
    });
    GatewayApiStrategy strategy = strategy(spec);
    List<RouteFields> fields = new ArrayList<>();
    for (RouteRef ref : strategy.routes()) {
      RouteKey key = new RouteKey(ref.kind(), ref.namespaceOr(spec.namespace()), ref.name());
      fields.add(new RouteFields(key, ref, spec.namespace(), strategy.stableService(), strategy.canaryService(), spec.managedRouteNames()));
    }
    return fields;
  }

  /**
   * Every object with its owned fields set to {@code desired}, in write order: Services that now
   * select other pods go before the weights that send traffic to them; when selectors are only
   * released, the weights move away first.
   */
  private List<Change> changes(CanarySpec spec, RoutingState desired) {
    List<Problem> problems = new ArrayList<>();
    List<Read> reads = read(spec, problems);
    if (problems.isEmpty()) {
      problems.addAll(crossNamespaceProblems(spec, reads));
    }
    if (!problems.isEmpty()) {
      throw invalid(spec, problems);
    }
    List<Change> changes = new ArrayList<>();
    for (Read read : reads) {
      ObjectNode object = read.object().deepCopy();
      changes.add(new Change(read, object, read.target().apply().test(object, desired)));
    }
    boolean servicesFirst = changes.stream().anyMatch(Change::selectsOtherPods);
    // a stable sort: the objects of the kind that goes first keep their order, then the others
    changes.sort(Comparator.comparing(c -> c.read().target().route() == servicesFirst));
    return changes;
  }

  /**
   * Writes one object, or nothing when it already carries the change. A conflict (someone else wrote
   * it since it was read) is answered by reading it again and setting the owned fields on the fresh copy.
   */
  private void write(Change change, RoutingState desired) {
    Target target = change.read().target();
    ObjectNode current = change.read().object();
    ObjectNode wanted = change.desired();
    int conflicts = 0;
    while (!Json.same(wanted, current)) {
      Optional<KubernetesClientException> conflict = attempt(target, wanted);
      if (conflict.isEmpty()) {
        LOG.debug("{}: written for canary weight {}", target.name(), desired.canaryWeight());
        return;
      }
      conflicts++;
      if (conflicts > conflictRetries) {
        throw new CanaryException(target.name() + ": someone else kept changing it while the rollout wrote its fields; gave up after "
            + conflicts + " attempts (each re-read the object and re-applied the rollout's fields)", conflict.get());
      }
      current = freshCopy(target);
      wanted = current.deepCopy();
      target.apply().test(wanted, desired);
    }
  }

  /** Empty when written; the 409 when someone else wrote the object first; any other refusal fails. */
  private static Optional<KubernetesClientException> attempt(Target target, ObjectNode wanted) {
    try {
      target.write().accept(wanted);
      return Optional.empty();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return Optional.of(e);
      }
      throw new CanaryException(target.name() + ": the write was refused: " + e.getMessage(), e);
    }
  }

  private static ObjectNode freshCopy(Target target) {
    LOG.info("{}: changed by someone else since it was read; setting the rollout's fields on the fresh object", target.name());
    ObjectNode fresh = target.reread().get()
        .orElseThrow(() -> new CanaryException(target.name() + " was deleted while the rollout was writing it"));
    List<Problem> problems = target.problems().apply(fresh);
    if (!problems.isEmpty()) {
      throw new CanaryValidationException(target.name() + " as changed by someone else", problems);
    }
    return fresh;
  }

  private List<Read> read(CanarySpec spec, List<Problem> problems) {
    List<Read> reads = new ArrayList<>();
    for (Target target : targets(spec)) {
      Optional<ObjectNode> object = target.read().get();
      if (object.isEmpty()) {
        problems.add(Problem.of(target.name(), "not found" + (target.route() ? " (at " + RouteKind.GROUP + "/" + RouteKind.VERSION + ")" : "")
            + ": create it, or name the one the rollout should drive"));
      } else {
        ObjectNode current = object.get();
        List<Problem> found = target.problems().apply(current);
        if (!found.isEmpty()) {
          // the cache may lag an edit that fixed it (the user's, just before the rollout): judge the server's copy
          current = target.reread().get().orElse(current);
          found = target.problems().apply(current);
        }
        problems.addAll(found);
        reads.add(new Read(target, current));
      }
    }
    problems.addAll(managedRouteProblems(spec));
    return reads;
  }

  private List<Target> targets(CanarySpec spec) {
    List<Target> targets = new ArrayList<>();
    for (RouteFields fields : routeFields(spec)) {
      RouteKey key = fields.key();
      targets.add(new Target(key.kind().kind(), key.qualifiedName(), true, () -> objects.route(key), () -> objects.readRoute(key),
          fields::problems,
          (route, desired) -> {
            fields.apply(route, desired);
            return false;
          },
          route -> objects.updateRoute(key, route)));
    }
    GatewayApiStrategy strategy = strategy(spec);
    for (ServiceSelector selector : List.of(new ServiceSelector(spec.namespace(), strategy.stableService(), true),
        new ServiceSelector(spec.namespace(), strategy.canaryService(), false))) {
      targets.add(new Target("Service", selector.namespace() + "/" + selector.name(), false,
          () -> objects.service(selector.namespace(), selector.name()),
          () -> objects.readService(selector.namespace(), selector.name()),
          selector::problems,
          (service, desired) -> selector.apply(service, desired.stableLabels(), desired.canaryLabels(), desired.managedLabelKeys()),
          service -> objects.updateService(selector.namespace(), service)));
    }
    return targets;
  }

  /** Header and mirror rules go into the HTTPRoutes, whose matches must express the steps' matches. */
  private static List<Problem> managedRouteProblems(CanarySpec spec) {
    List<Problem> problems = new ArrayList<>();
    boolean anyHttpRoute = strategy(spec).routes().stream().anyMatch(r -> r.kind() == RouteKind.HTTP_ROUTE);
    if (!spec.managedRouteNames().isEmpty() && !anyHttpRoute) {
      problems.add(Problem.of("traffic.routes", "header and mirror routes " + spec.managedRouteNames()
          + " become rules of an HTTPRoute, and the rollout names none: add the HTTPRoute of the release"));
    }
    for (int i = 0; i < spec.steps().size(); i++) {
      Step step = spec.steps().get(i);
      List<RouteMatch> matches = step instanceof Step.SetHeaderRoute h ? h.matches()
          : step instanceof Step.SetMirrorRoute m ? m.matches() : List.of();
      for (int j = 0; j < matches.size(); j++) {
        int index = i;
        int at = j;
        matches.get(j).method().ifPresent(method -> {
          if (method.kind() != io.canary.core.StringMatch.Kind.EXACT || !HTTP_METHODS.contains(method.value())) {
            problems.add(Problem.of("steps[" + index + "].matches[" + at + "].method", "is " + method
                + ": an HTTPRoute matches a method exactly, one of " + HTTP_METHODS.stream().sorted().toList()));
          }
        });
      }
    }
    return problems;
  }

  /** A backendRef into the Services' namespace from a route of another needs a ReferenceGrant there. */
  private List<Problem> crossNamespaceProblems(CanarySpec spec, List<Read> reads) {
    List<Problem> problems = new ArrayList<>();
    List<ObjectNode> grants = null;
    for (RouteFields fields : routeFields(spec)) {
      if (fields.key().namespace().equals(spec.namespace())) {
        continue;
      }
      ObjectNode route = reads.stream().filter(r -> r.target().name().equals(fields.key().toString())).findFirst().orElseThrow().object();
      for (ObjectNode backendRef : fields.weighedBackendRefs(route)) {
        String service = Json.text(backendRef, "name", "");
        grants = grants == null ? objects.cluster().referenceGrants(spec.namespace()) : grants;
        if (!ReferenceGrants.allows(grants, fields.key(), service)) {
          problems.add(Problem.of(fields.key() + " backendRef " + Refs.describeBackend(backendRef, fields.key().namespace()),
              "points into namespace " + spec.namespace() + ", and no ReferenceGrant there allows it: create "
                  + ReferenceGrants.example(fields.key(), spec.namespace(), service)));
        }
      }
    }
    return problems;
  }

  private static CanaryValidationException invalid(CanarySpec spec, List<Problem> problems) {
    return new CanaryValidationException("Routing of rollout " + spec.key(), problems);
  }

  /** A strategy of the user's own is fine for a router of the user's own, not for this one. */
  private static Optional<Problem> unsupportedStrategy(CanarySpec spec) {
    if (spec.traffic() instanceof GatewayApiStrategy) {
      return Optional.empty();
    }
    return Optional.of(Problem.of("traffic", spec.traffic().getClass().getName() + " is not a strategy the Gateway API router knows:"
        + " use GatewayApiStrategy.services(...)"));
  }

  private static GatewayApiStrategy strategy(CanarySpec spec) {
    return (GatewayApiStrategy) spec.traffic();
  }
}
