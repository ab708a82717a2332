package io.canary.core;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One step of a canary plan. After the last step the rollout promotes fully. Write steps with the
 * static factories: {@code Step.setWeight(20)}, {@code Step.pause()}, {@code Step.pause(Duration.ofSeconds(10))}.
 */
public sealed interface Step
    permits Step.SetWeight,
        Step.Pause,
        Step.SetCanaryScale,
        Step.Analysis,
        Step.SetHeaderRoute,
        Step.SetMirrorRoute {

  /** A short description for logs, events and the dry run, for example {@code setWeight 20}. */
  String describe();

  /** Send {@code weight} percent of the traffic to the canary, once it has the replicas that needs. */
  record SetWeight(int weight) implements Step {
    @Override
    public String describe() {
      return "setWeight " + weight;
    }
  }

  /** Wait for {@code duration}, or until promoted when the duration is empty. */
  record Pause(Optional<Duration> duration) implements Step {
    public Pause {
      Objects.requireNonNull(duration, "duration");
    }

    public boolean untilPromoted() {
      return duration.isEmpty();
    }

    @Override
    public String describe() {
      return duration.map(d -> "pause " + Durations.format(d)).orElse("pause (until promoted)");
    }
  }

  /**
   * Size the canary independently of the weight: a replica count, a percent of the stable
   * revision's replicas, or (the default behaviour) match the traffic weight.
   */
  record SetCanaryScale(Optional<Integer> replicas, Optional<Integer> percent, boolean matchTrafficWeight)
      implements Step {
    public SetCanaryScale {
      Objects.requireNonNull(replicas, "replicas");
      Objects.requireNonNull(percent, "percent");
    }

    /** True for a count or a percent; false for matchTrafficWeight, which gives sizing back to the weight. */
    public boolean fixesCount() {
      return replicas.isPresent() || percent.isPresent();
    }

    @Override
    public String describe() {
      if (replicas.isPresent()) {
        return "setCanaryScale replicas " + replicas.get();
      }
      if (percent.isPresent()) {
        return "setCanaryScale " + percent.get() + "%";
      }
      return "setCanaryScale matchTrafficWeight";
    }
  }

  /** Run an analysis and go on only when it passes; a failure aborts the rollout. */
  record Analysis(AnalysisSpec analysis) implements Step {
    public Analysis {
      Objects.requireNonNull(analysis, "analysis");
    }

    @Override
    public String describe() {
      return "analysis " + analysis.name();
    }
  }

  /**
   * Add (or replace) a managed header route; with no matches, remove it. Matching requests go to the
   * canary with {@code canaryWeight} percent.
   */
  record SetHeaderRoute(String name, List<RouteMatch> matches, int canaryWeight) implements Step {
    public SetHeaderRoute {
      matches = List.copyOf(matches);
    }

    public HeaderRoute route() {
      return new HeaderRoute(name, matches, canaryWeight);
    }

    @Override
    public String describe() {
      return matches.isEmpty() ? "setHeaderRoute " + name + " (remove)" : "setHeaderRoute " + name;
    }
  }

  /** Add (or replace) a managed mirror route; with no matches, remove it. */
  record SetMirrorRoute(String name, List<RouteMatch> matches, double percent) implements Step {
    public SetMirrorRoute {
      matches = List.copyOf(matches);
    }

    public MirrorRoute route() {
      return new MirrorRoute(name, matches, percent);
    }

    @Override
    public String describe() {
      return matches.isEmpty() ? "setMirrorRoute " + name + " (remove)" : "setMirrorRoute " + name + " " + percent + "%";
    }
  }

  static Step setWeight(int weight) {
    return new SetWeight(weight);
  }

  static Step pause() {
    return new Pause(Optional.empty());
  }

  static Step pause(Duration duration) {
    return new Pause(Optional.of(duration));
  }

  static Step setCanaryScaleReplicas(int replicas) {
    return new SetCanaryScale(Optional.of(replicas), Optional.empty(), false);
  }

  static Step setCanaryScalePercent(int percent) {
    return new SetCanaryScale(Optional.empty(), Optional.of(percent), false);
  }

  static Step setCanaryScaleMatchTrafficWeight() {
    return new SetCanaryScale(Optional.empty(), Optional.empty(), true);
  }

  static Step analysis(AnalysisSpec analysis) {
    return new Analysis(analysis);
  }

  /** Requests matching any of {@code matches} all go to the canary. */
  static Step setHeaderRoute(String name, RouteMatch... matches) {
    return new SetHeaderRoute(name, List.of(matches), 100);
  }

  /** Requests matching any of {@code matches} go to the canary with {@code canaryWeight} percent. */
  static Step setHeaderRoute(String name, int canaryWeight, RouteMatch... matches) {
    return new SetHeaderRoute(name, List.of(matches), canaryWeight);
  }

  static Step removeHeaderRoute(String name) {
    return new SetHeaderRoute(name, List.of(), 100);
  }

  static Step setMirrorRoute(String name, double percent, RouteMatch... matches) {
    return new SetMirrorRoute(name, List.of(matches), percent);
  }

  static Step removeMirrorRoute(String name) {
    return new SetMirrorRoute(name, List.of(), 0);
  }
}
