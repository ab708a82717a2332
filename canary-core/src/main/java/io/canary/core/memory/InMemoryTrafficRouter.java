package io.canary.core.memory;

import io.canary.core.CanarySpec;
import io.canary.core.HeaderRoute;
import io.canary.core.MirrorRoute;
import io.canary.core.Problem;
import io.canary.core.RolloutKey;
import io.canary.core.spi.RenderedObject;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingState;
import io.canary.core.spi.TrafficRouter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A router that keeps each rollout's routing in memory (one object per rollout, with the routes of its
 * {@link InMemoryStrategy}; any other strategy type is driven as one route) and remembers every change, so tests can
 * assert the weights a plan passes through. It can be told to report problems, to fail writes, or
 * that someone changed the weights behind the rollout's back; {@link #watchRouting} tells every change
 * (the rollout's own writes included) as a routing object's watch would.
 */
public final class InMemoryTrafficRouter implements TrafficRouter {
  /** The kind of the one routing object each rollout has here. */
  public static final String OBJECT_KIND = "InMemoryRoutes";

  private final Map<RolloutKey, RoutingState> current = new HashMap<>();
  private final Map<RolloutKey, Integer> outOfBand = new HashMap<>();
  private final Map<RolloutKey, List<RoutingState>> history = new HashMap<>();
  private final Map<RolloutKey, List<Watcher>> watchers = new HashMap<>();
  private final List<Problem> problems = new ArrayList<>();
  private int failingWrites;
  private RuntimeException failure;

  @Override
  public synchronized List<Problem> validate(CanarySpec spec) {
    return List.copyOf(problems);
  }

  @Override
  public void apply(CanarySpec spec, RoutingState desired) {
    synchronized (this) {
      if (failingWrites > 0) {
        failingWrites--;
        throw failure;
      }
      current.put(spec.key(), desired);
      outOfBand.remove(spec.key());
      history.computeIfAbsent(spec.key(), k -> new ArrayList<>()).add(desired);
    }
    tellWatchers(spec.key());
  }

  /** Every change of the rollout's routes, its own writes included, as a watch would show them. */
  @Override
  public synchronized AutoCloseable watchRouting(CanarySpec spec, Consumer<List<RouteWeight>> onChange) {
    Watcher watcher = new Watcher(spec, onChange);
    watchers.computeIfAbsent(spec.key(), k -> new ArrayList<>()).add(watcher);
    return () -> {
      synchronized (this) {
        watchers.getOrDefault(spec.key(), new ArrayList<>()).remove(watcher);
      }
    };
  }

  private void tellWatchers(RolloutKey key) {
    List<Watcher> toTell;
    synchronized (this) {
      toTell = List.copyOf(watchers.getOrDefault(key, List.of()));
    }
    for (Watcher w : toTell) {
      w.onChange().accept(currentWeights(w.spec()));
    }
  }

  private record Watcher(CanarySpec spec, Consumer<List<RouteWeight>> onChange) {}

  @Override
  public synchronized List<RouteWeight> currentWeights(CanarySpec spec) {
    int canary = outOfBand.getOrDefault(spec.key(),
        Optional.ofNullable(current.get(spec.key())).map(RoutingState::canaryWeight).orElse(0));
    List<RouteWeight> weights = new ArrayList<>();
    for (String route : routes(spec)) {
      weights.add(new RouteWeight(OBJECT_KIND + " " + spec.namespace() + "/" + spec.name(), route, 100 - canary, canary));
    }
    return weights;
  }

  @Override
  public List<RenderedObject> render(CanarySpec spec, RoutingState desired) {
    StringBuilder yaml = new StringBuilder("kind: " + OBJECT_KIND + "\nmetadata:\n  name: " + spec.name()
        + "\n  namespace: " + spec.namespace() + "\nroutes:\n");
    for (String route : routes(spec)) {
      yaml.append("  ").append(route).append(": {stable: ").append(100 - desired.canaryWeight())
          .append(", canary: ").append(desired.canaryWeight()).append("}\n");
    }
    for (HeaderRoute h : desired.headerRoutes()) {
      yaml.append("headerRoute: ").append(h.name()).append(" canary ").append(h.canaryWeight()).append('\n');
    }
    for (MirrorRoute m : desired.mirrorRoutes()) {
      yaml.append("mirrorRoute: ").append(m.name()).append(' ').append(m.percent()).append("%\n");
    }
    return List.of(new RenderedObject(OBJECT_KIND, spec.namespace() + "/" + spec.name(), yaml.toString()));
  }

  /** The routes of an {@link InMemoryStrategy}; any other strategy counts as one route named after its kind. */
  private static List<String> routes(CanarySpec spec) {
    return spec.traffic() instanceof InMemoryStrategy s ? s.routes() : List.of(spec.traffic().kind());
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

  /** Makes {@link #validate} report {@code problem} (a missing routing object, say). */
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

  /** Someone else set the canary weight of {@code key}'s routes to {@code canaryWeight}; watchers are told. */
  public void changeOutOfBand(RolloutKey key, int canaryWeight) {
    synchronized (this) {
      outOfBand.put(key, canaryWeight);
    }
    tellWatchers(key);
  }
}
