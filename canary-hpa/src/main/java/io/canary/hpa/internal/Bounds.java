package io.canary.hpa.internal;

import io.canary.core.CanaryException;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An autoscaler's replica bounds. {@code minReplicas} is null when the user left it unset (the API
 * server then means 1), so that restoring it gives back exactly what the user wrote.
 */
public record Bounds(Integer minReplicas, int maxReplicas) {
  /**
   * The annotation that keeps the user's bounds on the autoscaler itself while the rollout has
   * changed them, so that a runner started after a crash can still give them back.
   */
  public static final String ORIGINAL_BOUNDS_ANNOTATION = "canary.io/original-bounds";

  private static final Pattern MIN = Pattern.compile("\"minReplicas\"\\s*:\\s*(\\d+)");
  private static final Pattern MAX = Pattern.compile("\"maxReplicas\"\\s*:\\s*(\\d+)");

  /** The minimum the autoscaler applies: 1 when unset, as on the API server. */
  public int effectiveMin() {
    return minReplicas == null ? 1 : minReplicas;
  }

  public static Bounds of(HorizontalPodAutoscalerSpec spec) {
    return new Bounds(spec.getMinReplicas(), spec.getMaxReplicas() == null ? 0 : spec.getMaxReplicas());
  }

  /** The bounds the user set: from the annotation while the rollout has changed them, else the spec. */
  public static Bounds usersOf(HorizontalPodAutoscaler hpa) {
    String stored = annotation(hpa);
    return stored == null ? of(hpa.getSpec()) : parse(stored, Hpas.describe(hpa));
  }

  /**
   * The bounds that make the autoscaler keep at least {@code replicas} pods, capped by {@code cap} and
   * by the maximum; never below the user's minimum.
   */
  public Bounds preScaledTo(int replicas, Optional<Integer> cap) {
    int wanted = Math.min(Math.min(replicas, cap.orElse(Integer.MAX_VALUE)), maxReplicas);
    return wanted <= effectiveMin() ? this : new Bounds(wanted, maxReplicas);
  }

  /**
   * The bounds that let the autoscaler keep at most {@code replicas} pods (at least 1), never above
   * the user's maximum; the minimum comes down with the maximum only where it has to.
   */
  public Bounds shrunkTo(int replicas) {
    int max = Math.min(Math.max(replicas, 1), maxReplicas);
    Integer min = minReplicas == null || minReplicas <= max ? minReplicas : Integer.valueOf(max);
    return new Bounds(min, max);
  }

  /**
   * Sets the autoscaler's bounds to {@code target}, the user's bounds being {@code users}: keeps the
   * user's bounds in the annotation while they differ, removes it when they are given back.
   */
  public static HorizontalPodAutoscaler apply(HorizontalPodAutoscaler hpa, Bounds users, Bounds target) {
    Map<String, String> before = hpa.getMetadata().getAnnotations();
    Map<String, String> annotations = new LinkedHashMap<>(before == null ? Map.of() : before);
    if (target.equals(users)) {
      annotations.remove(ORIGINAL_BOUNDS_ANNOTATION);
    } else {
      annotations.put(ORIGINAL_BOUNDS_ANNOTATION, users.toAnnotation());
    }
    // An annotations map left empty by removing ours goes too, so the user's object is as it was; one
    // that was empty (or absent) before stays exactly so, so that an unchanged object is not written.
    boolean noneBefore = before == null || before.isEmpty();
    hpa.getMetadata().setAnnotations(annotations.isEmpty() ? (noneBefore ? before : null) : annotations);
    hpa.getSpec().setMinReplicas(target.minReplicas());
    hpa.getSpec().setMaxReplicas(target.maxReplicas());
    return hpa;
  }

  public String toAnnotation() {
    return minReplicas == null
        ? "{\"maxReplicas\":" + maxReplicas + "}"
        : "{\"minReplicas\":" + minReplicas + ",\"maxReplicas\":" + maxReplicas + "}";
  }

  static Bounds parse(String annotation, String owner) {
    Matcher max = MAX.matcher(annotation);
    if (!max.find()) {
      throw new CanaryException(owner + ": annotation " + ORIGINAL_BOUNDS_ANNOTATION + " is '" + annotation
          + "'; expected the user's bounds as {\"minReplicas\":N,\"maxReplicas\":M}. Restore the autoscaler's"
          + " bounds by hand and remove the annotation.");
    }
    Matcher min = MIN.matcher(annotation);
    Integer minReplicas = min.find() ? Integer.valueOf(min.group(1)) : null;
    return new Bounds(minReplicas, Integer.parseInt(max.group(1)));
  }

  private static String annotation(HorizontalPodAutoscaler hpa) {
    var annotations = hpa.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(ORIGINAL_BOUNDS_ANNOTATION);
  }

  @Override
  public String toString() {
    return "min " + effectiveMin() + ", max " + maxReplicas;
  }
}
