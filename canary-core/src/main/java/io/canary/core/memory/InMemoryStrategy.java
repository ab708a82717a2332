package io.canary.core.memory;

import io.canary.core.Names;
import io.canary.core.Problem;
import io.canary.core.TrafficStrategy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The strategy of {@link InMemoryTrafficRouter}: named routes, each split between stable and canary.
 * For tests and for plans that do not depend on a routing technology.
 *
 * @param routes the routes' names, at least one
 */
public record InMemoryStrategy(List<String> routes) implements TrafficStrategy {
  public InMemoryStrategy {
    Objects.requireNonNull(routes, "routes");
    routes = List.copyOf(routes);
  }

  /** A strategy over {@code routes} (one route named {@code default} when none is given). */
  public static InMemoryStrategy of(String... routes) {
    return new InMemoryStrategy(routes.length == 0 ? List.of("default") : List.of(routes));
  }

  @Override
  public String kind() {
    return "in-memory routes";
  }

  @Override
  public List<Problem> validate() {
    List<Problem> problems = new ArrayList<>();
    if (routes.isEmpty()) {
      problems.add(Problem.of("routes", "name at least one route"));
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < routes.size(); i++) {
      Names.checkLabel(problems, "routes[" + i + "]", routes.get(i));
      if (!seen.add(routes.get(i))) {
        problems.add(Problem.of("routes[" + i + "]", "route '" + routes.get(i) + "' is named twice"));
      }
    }
    return problems;
  }

  @Override
  public String canonicalForm() {
    return "in-memory(routes=" + String.join(",", routes) + ")";
  }

  @Override
  public List<String> describeObjects() {
    return routes.stream().map(r -> "route " + r).toList();
  }
}
