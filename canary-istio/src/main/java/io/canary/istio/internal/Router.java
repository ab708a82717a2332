package io.canary.istio.internal;

import io.canary.core.CanaryException;
import io.canary.core.CanarySpec;
import io.canary.core.CanaryValidationException;
import io.canary.core.Problem;
import io.canary.istio.IstioStrategy;
import io.canary.istio.ServiceStrategy;
import io.canary.istio.SubsetStrategy;
import io.canary.istio.VirtualServiceRef;
import io.canary.core.spi.RenderedObject;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingState;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads, checks and writes the routing objects of a rollout; see {@code IstioTrafficRouter}. */
public final class Router {
  private static final Logger LOG = LoggerFactory.getLogger(Router.class);

  private final ClusterObjects objects;
  private final VirtualServiceWatch watch;
  private final int conflictRetries;
  private final boolean addMissingCanaryDestinations;

  public Router(KubernetesClient client, int conflictRetries, boolean addMissingCanaryDestinations) {
    this.objects = new ClusterObjects(client);
    this.watch = new VirtualServiceWatch(objects);
    this.conflictRetries = conflictRetries;
    this.addMissingCanaryDestinations = addMissingCanaryDestinations;
  }

  /** An object as read, with the fields of it the router owns. */
  private record Read(OwnedFields fields, GenericKubernetesResource object) {}

  /** An object with the owned fields set to what one change asks for. */
  private record Change(Read read, GenericKubernetesResource desired, boolean selectsNewPods) {}

  public List<Problem> validate(CanarySpec spec) {
    Optional<Problem> unsupported = unsupportedStrategy(spec);
    if (unsupported.isPresent()) {
      return List.of(unsupported.get());
    }
    List<Problem> problems = new ArrayList<>();
    read(spec, targets(spec), problems);
    return problems;
  }

  public void apply(CanarySpec spec, RoutingState desired) {
    for (Change change : changes(spec, desired)) {
      write(change, desired);
    }
  }

  public List<RenderedObject> render(CanarySpec spec, RoutingState desired) {
    return changes(spec, desired).stream()
        .map(c -> {
          ObjectRef ref = c.read().fields().ref();
          return new RenderedObject(ref.kind().kind(), ref.qualifiedName(), objects.asYaml(c.desired()));
        })
        .toList();
  }

  public List<RouteWeight> currentWeights(CanarySpec spec) {
    List<OwnedFields> virtualServices = targets(spec).stream().filter(OwnedFields::carriesWeights).toList();
    List<RouteWeight> weights = new ArrayList<>();
    for (Read read : readValid(spec, virtualServices)) {
      weights.addAll(((VirtualServiceFields) read.fields()).weights(read.object()));
    }
    return weights;
  }

  /**
   * Calls {@code onChange} with the weights of the rollout's VirtualServices as the watch holds them
   * after every change of one of them (a VirtualService the watch does not hold yet, or that no longer
   * fits the rollout, gives no weights).
   */
  public AutoCloseable watchWeights(CanarySpec spec, Consumer<List<RouteWeight>> onChange) {
    List<VirtualServiceFields> fields = targets(spec).stream().filter(OwnedFields::carriesWeights)
        .map(f -> (VirtualServiceFields) f).toList();
    return watch.listen(fields.stream().map(OwnedFields::ref).toList(), () -> onChange.accept(seenWeights(fields)));
  }

  private List<RouteWeight> seenWeights(List<VirtualServiceFields> fields) {
    List<RouteWeight> weights = new ArrayList<>();
    for (VirtualServiceFields f : fields) {
      watch.seen(f.ref()).filter(vs -> f.problems(vs).isEmpty()).ifPresent(vs -> weights.addAll(f.weights(vs)));
    }
    return weights;
  }

  /** The watch on VirtualServices, started on first use. */
  public VirtualServiceWatch watch() {
    return watch;
  }

  /** Stops the watches and the informers the reads come from. */
  public void close() {
    watch.close();
    objects.close();
  }

  /** The rollout's VirtualServices. */
  public List<ObjectRef> virtualServices(CanarySpec spec) {
    return targets(spec).stream().filter(OwnedFields::carriesWeights).map(OwnedFields::ref).toList();
  }

  /** True when {@code seen} (a VirtualService as a watch saw it) carries what {@code applied} asks of its owned fields. */
  public boolean carries(CanarySpec spec, ObjectRef ref, GenericKubernetesResource seen, RoutingState applied) {
    for (OwnedFields fields : targets(spec)) {
      if (fields.ref().equals(ref) && fields.problems(seen).isEmpty()) {
        GenericKubernetesResource carrying = objects.copy(seen);
        fields.apply(carrying, applied);
        // as JSON: a watch may hand over numbers as another boxed type than a read does
        return objects.asJson(Trees.spec(carrying)).equals(objects.asJson(Trees.spec(seen)));
      }
    }
    return false;
  }

  ClusterObjects objects() {
    return objects;
  }

  /**
   * Every routing object with its owned fields set to {@code desired}, in write order: objects whose
   * labels now select new pods go before the weights that send traffic to them; when labels are only
   * released, the weights move away first.
   */
  private List<Change> changes(CanarySpec spec, RoutingState desired) {
    List<Change> weights = new ArrayList<>();
    List<Change> labels = new ArrayList<>();
    for (Read read : readValid(spec, targets(spec))) {
      GenericKubernetesResource object = objects.copy(read.object());
      boolean selectsNewPods = read.fields().apply(object, desired);
      (read.fields().carriesWeights() ? weights : labels).add(new Change(read, object, selectsNewPods));
    }
    boolean labelsFirst = labels.stream().anyMatch(Change::selectsNewPods);
    List<Change> ordered = new ArrayList<>(labelsFirst ? labels : weights);
    ordered.addAll(labelsFirst ? weights : labels);
    return ordered;
  }

  /**
   * One write, built on the newest known copy and guarded by its resourceVersion, or none when the
   * object already carries the change; a conflict is re-read (the one GET of a write) and re-applied.
   */
  private void write(Change change, RoutingState desired) {
    OwnedFields fields = change.read().fields();
    GenericKubernetesResource current = change.read().object();
    GenericKubernetesResource wanted = change.desired();
    for (int attempt = 0; !same(wanted, current); attempt++) {
      try {
        objects.update(fields.ref(), wanted);
        LOG.debug("{}: written for canary weight {}", fields.ref(), desired.canaryWeight());
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw new CanaryException(fields.ref() + ": the write was refused: " + e.getMessage(), e);
        }
        if (attempt >= conflictRetries) {
          throw new CanaryException(fields.ref() + ": someone else kept changing it while the rollout wrote its weights; gave up after "
              + (attempt + 1) + " attempts (each re-read the object and re-applied the rollout's fields)", e);
        }
        LOG.info("{}: changed by someone else since it was read; re-applying the rollout's fields on the fresh object", fields.ref());
        current = objects.read(fields.ref())
            .orElseThrow(() -> new CanaryException(fields.ref() + " was deleted while the rollout was writing it"));
        List<Problem> problems = fields.problems(current);
        if (!problems.isEmpty()) {
          throw new CanaryValidationException(fields.ref() + " as changed by someone else", problems);
        }
        wanted = objects.copy(current);
        fields.apply(wanted, desired);
      }
    }
  }

  /** As JSON: an informer may hand over numbers as another boxed type than the router sets. */
  private boolean same(GenericKubernetesResource wanted, GenericKubernetesResource current) {
    return wanted.equals(current) || objects.asJson(wanted).equals(objects.asJson(current));
  }

  private List<Read> readValid(CanarySpec spec, List<OwnedFields> targets) {
    List<Problem> problems = new ArrayList<>();
    List<Read> reads = read(spec, targets, problems);
    if (!problems.isEmpty()) {
      throw invalid(spec, problems);
    }
    return reads;
  }

  private static CanaryValidationException invalid(CanarySpec spec, List<Problem> problems) {
    return new CanaryValidationException("Routing of rollout " + spec.key(), problems);
  }

  /** A strategy of the user's own is fine for a router of the user's own, not for this one. */
  private static Optional<Problem> unsupportedStrategy(CanarySpec spec) {
    if (spec.traffic() instanceof SubsetStrategy || spec.traffic() instanceof ServiceStrategy) {
      return Optional.empty();
    }
    return Optional.of(Problem.of("traffic", spec.traffic().getClass().getName() + " is not a strategy the Istio router knows:"
        + " use IstioStrategy.subsets(...) or IstioStrategy.services(...)"));
  }

  private static IstioStrategy strategy(CanarySpec spec) {
    return (IstioStrategy) spec.traffic();
  }

  private List<Read> read(CanarySpec spec, List<OwnedFields> targets, List<Problem> problems) {
    List<Read> reads = new ArrayList<>();
    for (OwnedFields fields : targets) {
      Optional<GenericKubernetesResource> object = objects.find(fields.ref());
      if (object.isEmpty()) {
        problems.add(Problem.of(fields.ref().toString(), "not found (looked at " + fields.ref().kind().describeVersions()
            + "): create it, or name the one the rollout should drive"));
      } else {
        GenericKubernetesResource current = object.get();
        List<Problem> found = fields.problems(current);
        if (!found.isEmpty()) {
          // the cache may lag an edit that fixed it (the user's, just before the rollout): judge the server's copy
          current = objects.read(fields.ref()).orElse(current);
          found = fields.problems(current);
        }
        problems.addAll(found);
        reads.add(new Read(fields, current));
      }
    }
    boolean anyHttpRoute = strategy(spec).virtualServices().stream().anyMatch(vs -> vs.usesSingleRoute() || !vs.httpRoutes().isEmpty());
    if (!spec.managedRouteNames().isEmpty() && !anyHttpRoute) {
      problems.add(Problem.of("traffic.virtualServices", "header and mirror routes " + spec.managedRouteNames()
          + " need an http route of the rollout to copy the stable and canary destinations from; name one"));
    }
    return reads;
  }

  private List<OwnedFields> targets(CanarySpec spec) {
    unsupportedStrategy(spec).ifPresent(problem -> {
      throw invalid(spec, List.of(problem));
    });
    Destinations destinations = Destinations.of(spec);
    List<OwnedFields> targets = new ArrayList<>();
    for (VirtualServiceRef vs : strategy(spec).virtualServices()) {
      ObjectRef ref = new ObjectRef(RoutingKind.VIRTUAL_SERVICE, vs.namespaceOr(spec.namespace()), vs.name());
      targets.add(new VirtualServiceFields(ref, vs, destinations, spec.managedRouteNames(), addMissingCanaryDestinations));
    }
    if (spec.traffic() instanceof SubsetStrategy subsets) {
      ObjectRef ref = new ObjectRef(RoutingKind.DESTINATION_RULE, spec.namespace(), subsets.destinationRule());
      targets.add(new SubsetLabelFields(ref, subsets, destinations));
    } else if (spec.traffic() instanceof ServiceStrategy services) {
      targets.add(new SelectorFields(new ObjectRef(RoutingKind.SERVICE, spec.namespace(), services.stableService()), true));
      targets.add(new SelectorFields(new ObjectRef(RoutingKind.SERVICE, spec.namespace(), services.canaryService()), false));
    }
    return targets;
  }
}
