package io.canary.testing;

import io.canary.testing.internal.PodGroup;
import java.util.Map;
import java.util.Objects;

/**
 * Picks the pods of a revision for {@link TrafficSimulator#behaviour(PodMatcher, Behaviour)}: by an
 * image, by labels, or by the Deployment that runs them.
 */
public final class PodMatcher {
  private final String description;
  private final java.util.function.Predicate<PodGroup> test;

  private PodMatcher(String description, java.util.function.Predicate<PodGroup> test) {
    this.description = description;
    this.test = test;
  }

  /** Pods with a container running exactly {@code image}, for example {@code argoproj/rollouts-demo:red}. */
  public static PodMatcher image(String image) {
    Objects.requireNonNull(image, "image");
    return new PodMatcher("image " + image, c -> c.images().contains(image));
  }

  /** Pods carrying every one of {@code labels}. */
  public static PodMatcher labels(Map<String, String> labels) {
    Map<String, String> copy = Map.copyOf(labels);
    return new PodMatcher("labels " + copy, c -> {
      for (Map.Entry<String, String> e : copy.entrySet()) {
        if (!e.getValue().equals(c.labels().get(e.getKey()))) {
          return false;
        }
      }
      return true;
    });
  }

  /** Pods of the Deployment named {@code workload}. */
  public static PodMatcher workload(String workload) {
    Objects.requireNonNull(workload, "workload");
    return new PodMatcher("workload " + workload, c -> workload.equals(c.workload()));
  }

  /** Every pod. */
  public static PodMatcher any() {
    return new PodMatcher("any pod", c -> true);
  }

  public PodMatcher and(PodMatcher other) {
    return new PodMatcher(description + " and " + other.description, c -> test.test(c) && other.test.test(c));
  }

  boolean matches(PodGroup candidate) {
    return test.test(candidate);
  }

  @Override
  public String toString() {
    return description;
  }
}
