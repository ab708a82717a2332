package io.canary.kubernetes.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.canary.core.CanaryException;
import io.canary.core.CanarySpec;
import io.canary.kubernetes.CanaryLabels;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;
import java.util.Map;

/**
 * The stable Deployment's strategy while it takes the new revision: the spec's maxSurge and
 * maxUnavailable, the user's own kept in {@link CanaryLabels#USER_STRATEGY} and given back at the end.
 */
final class PromotionStrategy {
  private PromotionStrategy() {}

  /** Adds to {@code p} what sets the promotion's strategy on {@code d}, keeping the user's first. */
  static void use(CanarySpec spec, Deployment d, JsonPatch p) {
    Map<String, String> annotations = d.getMetadata().getAnnotations();
    if (annotations == null || !annotations.containsKey(CanaryLabels.USER_STRATEGY)) {
      p.setAnnotation(annotations, CanaryLabels.USER_STRATEGY, toJson(d.getSpec().getStrategy()));
    }
    DeploymentStrategy promotion = promotionStrategy(spec, d.getSpec().getStrategy());
    if (!sameJson(promotion, d.getSpec().getStrategy())) {
      p.set("/spec/strategy", promotion);
    }
  }

  /** Adds to {@code p} what gives {@code d} the user's strategy back, if the promotion changed it. */
  static void giveBack(Deployment d, JsonPatch p) {
    Map<String, String> annotations = d.getMetadata().getAnnotations();
    String saved = Deployments.valueOf(annotations, CanaryLabels.USER_STRATEGY);
    if (saved == null) {
      return;
    }
    DeploymentStrategy strategy = fromJson(saved);
    if (strategy == null && d.getSpec().getStrategy() != null) {
      p.remove("/spec/strategy");
    } else if (strategy != null && !sameJson(strategy, d.getSpec().getStrategy())) {
      p.set("/spec/strategy", strategy);
    }
    p.removeAnnotation(annotations, CanaryLabels.USER_STRATEGY);
  }

  /** Equal as the API server stores them (an IntOrString or an empty map told apart by JSON alone). */
  private static boolean sameJson(DeploymentStrategy a, DeploymentStrategy b) {
    return a == null ? b == null : b != null && JsonPatch.MAPPER.valueToTree(a).equals(JsonPatch.MAPPER.valueToTree(b));
  }

  /** RollingUpdate with the spec's maxSurge/maxUnavailable, the user's value for the one not given. */
  private static DeploymentStrategy promotionStrategy(CanarySpec spec, DeploymentStrategy user) {
    RollingUpdateDeployment userRolling = user == null ? null : user.getRollingUpdate();
    IntOrString surge = spec.maxSurge().map(PromotionStrategy::intOrPercent)
        .orElse(userRolling == null ? null : userRolling.getMaxSurge());
    IntOrString unavailable = spec.maxUnavailable().map(PromotionStrategy::intOrPercent)
        .orElse(userRolling == null ? null : userRolling.getMaxUnavailable());
    return new DeploymentStrategyBuilder().withType("RollingUpdate")
        .withNewRollingUpdate().withMaxSurge(surge).withMaxUnavailable(unavailable).endRollingUpdate().build();
  }

  private static IntOrString intOrPercent(String value) {
    return value.endsWith("%") ? new IntOrString(value) : new IntOrString(Integer.parseInt(value));
  }

  private static String toJson(DeploymentStrategy strategy) {
    try {
      return JsonPatch.MAPPER.writeValueAsString(strategy);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the Deployment strategy as JSON", e);
    }
  }

  private static DeploymentStrategy fromJson(String json) {
    try {
      return JsonPatch.MAPPER.readValue(json, DeploymentStrategy.class);
    } catch (JsonProcessingException e) {
      throw new CanaryException("annotation " + CanaryLabels.USER_STRATEGY + " does not hold a Deployment strategy: " + json, e);
    }
  }
}
