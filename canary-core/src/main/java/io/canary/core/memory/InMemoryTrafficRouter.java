package io.canary.core.memory;

import io.canary.core.CanarySpec;
import io.canary.core.HeaderRoute;
import io.canary.core.MirrorRoute;
import io.canary.core.Problem;
import io.canary.core.RolloutKey;
import io.canary.core.VirtualServiceRef;
import io.canary.core.spi.RenderedObject;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingState;
import io.canary.core.spi.TrafficRouter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A router that keeps each rollout's routing in memory and remembers every change, so tests can
 * assert the weights a plan passes through. It can be told to report problems, to fail writes, or
 * that someone changed the weights behind the rollout's back.
 */
public final class InMemoryTrafficRouter implements TrafficRouter {
  private final Map<RolloutKey, RoutingState> current = new HashMap<>();
  private final Map<RolloutKey, Integer> outOfBand = new HashMap<>();
  private final Map<RolloutKey, List<RoutingState>> history = new HashMap<>();
  private final List<Problem> problems = new ArrayList<>();
  private int failingWrites;
  private RuntimeException failure;

  @Override
  public synchronized List<Problem> validate(CanarySpec spec) {
    return List.copyOf(problems);
  }

  @Override
  public synchronized void apply(CanarySpec spec, RoutingState desired) {
    if (failingWrites > 0) {
      failingWrites--;
      throw failure;
    }
    current.put(spec.key(), desired);
    outOfBand.remove(spec.key());
    history.computeIfAbsent(spec.key(), k -> new ArrayList<>()).add(desired);
  }

  @Override
  public synchronized List<RouteWeight> currentWeights(CanarySpec spec) {
    int canary = outOfBand.getOrDefault(spec.key(),
        Optional.ofNullable(current.get(spec.key())).map(RoutingState::canaryWeight).orElse(0));
    List<RouteWeight> weights = new ArrayList<>();
    for (VirtualServiceRef vs : spec.traffic().virtualServices()) {
      String object = "VirtualService " + vs.namespaceOr(spec.namespace()) + "/" + vs.name();
      List<String> routes = vs.usesSingleRoute() ? List.of("http (single route)")
          : vs.httpRoutes().stream().map(r -> "http " + r).toList();
      for (String route : routes) {
        weights.add(new RouteWeight(object, route, 100 - canary, canary));
      }
    }
    return weights;
  }

  @Override
  public List<RenderedObject> render(CanarySpec spec, RoutingState desired) {
    List<RenderedObject> objects = new ArrayList<>();
    for (VirtualServiceRef vs : spec.traffic().virtualServices()) {
      String name = vs.namespaceOr(spec.namespace()) + "/" + vs.name();
      StringBuilder yaml = new StringBuilder("kind: VirtualService\nmetadata:\n  name: " + vs.name() + "\n  namespace: "
          + vs.namespaceOr(spec.namespace()) + "\nweights:\n  stable: " + (100 - desired.canaryWeight())
          + "\n  canary: " + desired.canaryWeight() + "\n");
      for (HeaderRoute h : desired.headerRoutes()) {
        yaml.append("headerRoute: ").append(h.name()).append(" canary ").append(h.canaryWeight()).append('\n');
      }
      for (MirrorRoute m : desired.mirrorRoutes()) {
        yaml.append("mirrorRoute: ").append(m.name()).append(' ').append(m.percent()).append("%\n");
      }
      objects.add(new RenderedObject("VirtualService", name, yaml.toString()));
    }
    return objects;
  }

  /** The routing {@code key} carries now, if it was ever set. */
  public synchronized Optional<RoutingState> routing(RolloutKey key) {
    return Optional.ofNullable(current.get(key));
  }

  /** Every routing state written for {@code key}, oldest first. */
  public synchronized List<RoutingState> history(RolloutKey key) {
    return List.copyOf(history.getOrDefault(key, List.of()));
  }

  /** The canary weights written for {@code key}, in order. */
  public synchronized List<Integer> weights(RolloutKey key) {
    return history(key).stream().map(RoutingState::canaryWeight).collect(Collectors.toList());
  }

  /** Makes {@link #validate} report {@code problem} (a missing VirtualService, say). */
  public synchronized InMemoryTrafficRouter reportProblem(Problem problem) {
    problems.add(problem);
    return this;
  }

  /** Makes the next {@code writes} calls of {@link #apply} throw {@code failure}. */
  public synchronized InMemoryTrafficRouter failWrites(int writes, RuntimeException failure) {
    this.failingWrites = writes;
    this.failure = failure;
    return this;
  }

  /** Someone else set the canary weight of {@code key}'s routes to {@code canaryWeight}. */
  public synchronized void changeOutOfBand(RolloutKey key, int canaryWeight) {
    outOfBand.put(key, canaryWeight);
  }
}
