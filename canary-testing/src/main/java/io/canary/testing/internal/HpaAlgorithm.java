package io.canary.testing.internal;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The replica calculation of Kubernetes' horizontal pod autoscaler (pkg/controller/podautoscaler),
 * for one HPA: the metric proposal with its tolerance and the treatment of pods that are not ready,
 * then stabilization windows and scaling policies (the defaults or {@code spec.behavior}), then
 * min and max. Keeps the recommendation and scale-event history it needs between syncs.
 */
public final class HpaAlgorithm {
  public static final double TOLERANCE = 0.1;

  private record Recommendation(Instant at, int replicas) {}

  private record ScaleEvent(Instant at, int change) {}

  private final Deque<Recommendation> recommendations = new ArrayDeque<>();
  private final Deque<ScaleEvent> scaleUpEvents = new ArrayDeque<>();
  private final Deque<ScaleEvent> scaleDownEvents = new ArrayDeque<>();

  /**
   * The replica count the CPU utilization asks for, before behavior: {@code ceil(current x
   * utilization / target)}, unchanged within the tolerance. Pods not ready count as using nothing
   * when scaling up and their full request when scaling down, and a proposal that these pods would
   * reverse is dropped, as Kubernetes does.
   *
   * @param readyUsage the summed CPU use of the ready pods, in millicores
   * @param readyRequests the summed CPU requests of the ready pods
   * @param unreadyRequests the summed CPU requests of the pods that are not ready
   */
  public static int proposal(int currentReplicas, int readyPods, int unreadyPods, double readyUsage,
      double readyRequests, double unreadyRequests, int targetUtilization) {
    if (readyPods == 0 || readyRequests <= 0) {
      return currentReplicas;
    }
    double ratio = (readyUsage / readyRequests * 100) / targetUtilization;
    if (unreadyPods == 0) {
      if (Math.abs(1.0 - ratio) <= TOLERANCE) {
        return currentReplicas;
      }
      return (int) Math.ceil(ratio * readyPods);
    }
    // Not-ready pods: assume 0% when scaling up, 100% of their request when scaling down.
    double assumedUsage = readyUsage + (ratio < 1.0 ? unreadyRequests : 0);
    double newRatio = (assumedUsage / (readyRequests + unreadyRequests) * 100) / targetUtilization;
    if (Math.abs(1.0 - newRatio) <= TOLERANCE || (ratio > 1.0 && newRatio < 1.0) || (ratio < 1.0 && newRatio > 1.0)) {
      return currentReplicas;
    }
    int desired = (int) Math.ceil(newRatio * (readyPods + unreadyPods));
    if ((newRatio < 1.0 && desired > currentReplicas) || (newRatio > 1.0 && desired < currentReplicas)) {
      return currentReplicas;
    }
    return desired;
  }

  /** Applies stabilization, rate policies and min/max to a proposal; records what it decided. */
  public int normalize(Instant now, int currentReplicas, int proposal, int minReplicas, int maxReplicas,
      HorizontalPodAutoscalerBehavior behavior) {
    HPAScalingRules up = behavior == null ? null : behavior.getScaleUp();
    HPAScalingRules down = behavior == null ? null : behavior.getScaleDown();
    int upWindow = window(up, 0);
    int downWindow = window(down, 300);

    int upRecommendation = proposal;
    int downRecommendation = proposal;
    Instant upCutoff = now.minusSeconds(upWindow);
    Instant downCutoff = now.minusSeconds(downWindow);
    for (Recommendation r : recommendations) {
      if (r.at().isAfter(upCutoff)) {
        upRecommendation = Math.min(upRecommendation, r.replicas());
      }
      if (r.at().isAfter(downCutoff)) {
        downRecommendation = Math.max(downRecommendation, r.replicas());
      }
    }
    recommendations.addLast(new Recommendation(now, proposal));
    Instant keepAfter = now.minusSeconds(Math.max(upWindow, downWindow));
    recommendations.removeIf(r -> !r.at().isAfter(keepAfter));

    int stabilized = currentReplicas;
    if (stabilized < upRecommendation) {
      stabilized = upRecommendation;
    }
    if (stabilized > downRecommendation) {
      stabilized = downRecommendation;
    }

    int desired = stabilized;
    if (desired > currentReplicas) {
      int limit = rateLimit(now, currentReplicas, up, true);
      desired = Math.min(desired, Math.max(limit, currentReplicas));
      desired = Math.min(desired, maxReplicas);
    } else if (desired < currentReplicas) {
      int limit = rateLimit(now, currentReplicas, down, false);
      desired = Math.max(desired, Math.min(limit, currentReplicas));
      desired = Math.max(desired, minReplicas);
    }
    desired = Math.max(minReplicas, Math.min(maxReplicas, desired));
    if (desired > currentReplicas) {
      scaleUpEvents.addLast(new ScaleEvent(now, desired - currentReplicas));
    } else if (desired < currentReplicas) {
      scaleDownEvents.addLast(new ScaleEvent(now, currentReplicas - desired));
    }
    return desired;
  }

  private static int window(HPAScalingRules rules, int defaultSeconds) {
    return rules == null || rules.getStabilizationWindowSeconds() == null
        ? defaultSeconds : rules.getStabilizationWindowSeconds();
  }

  private static List<HPAScalingPolicy> policies(HPAScalingRules rules, boolean up) {
    if (rules != null && rules.getPolicies() != null && !rules.getPolicies().isEmpty()) {
      return rules.getPolicies();
    }
    if (up) {
      return List.of(new HPAScalingPolicy(15, "Percent", 100), new HPAScalingPolicy(15, "Pods", 4));
    }
    return List.of(new HPAScalingPolicy(15, "Percent", 100));
  }

  private static String selectPolicy(HPAScalingRules rules) {
    return rules == null || rules.getSelectPolicy() == null ? "Max" : rules.getSelectPolicy();
  }

  /**
   * The most replicas ({@code up}) or the fewest the policies allow now, counting the changes made
   * within each policy's period. "Max" picks the policy allowing the biggest change.
   */
  private int rateLimit(Instant now, int current, HPAScalingRules rules, boolean up) {
    String select = selectPolicy(rules);
    if ("Disabled".equals(select)) {
      return current;
    }
    boolean keepLarger = up != "Min".equals(select);
    Integer result = null;
    for (HPAScalingPolicy p : policies(rules, up)) {
      int changed = changesWithin(up ? scaleUpEvents : scaleDownEvents, now, p.getPeriodSeconds());
      int periodStart = up ? current - changed : current + changed;
      double factor = up ? 1 + p.getValue() / 100.0 : 1 - p.getValue() / 100.0;
      int proposed;
      if ("Pods".equals(p.getType())) {
        proposed = up ? periodStart + p.getValue() : periodStart - p.getValue();
      } else {
        proposed = (int) (up ? Math.ceil(periodStart * factor) : Math.floor(periodStart * factor));
      }
      result = result == null ? proposed : keepLarger ? Math.max(result, proposed) : Math.min(result, proposed);
    }
    return result;
  }

  private static int changesWithin(Deque<ScaleEvent> events, Instant now, int periodSeconds) {
    Instant cutoff = now.minus(Duration.ofSeconds(periodSeconds));
    int sum = 0;
    for (ScaleEvent e : events) {
      if (e.at().isAfter(cutoff)) {
        sum += e.change();
      }
    }
    // Events older than the longest policy period (30 min at most in Kubernetes) matter no more.
    events.removeIf(e -> e.at().isBefore(now.minus(Duration.ofMinutes(30))));
    return sum;
  }
}
