package io.canary.hpa.internal;

import io.canary.core.CanaryException;
import io.canary.kubernetes.CanaryLabels;
import io.canary.kubernetes.internal.NamespaceAutoscalers;
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
  private static final Pattern MIN = Pattern.compile("\"minReplicas\"\\s*:\\s*(\\d+)");
  private static final Pattern MAX = Pattern.compile("\"maxReplicas\"\\s*:\\s*(\\d+)");

  /** The bounds the rollout holds an autoscaler at, and the count a setCanaryScale step fixed, if one did. */
  public record Held(Bounds bounds, Optional<Integer> fixed) {
    /** The user's bounds, nothing fixed. */
    public static Held users(Bounds users) {
      return new Held(users, Optional.empty());
    }
  }

  /** What the rollout wants of an autoscaler, from the user's bounds and the count fixed now (if any). */
  @FunctionalInterface
  public interface Change {
    Held apply(Bounds users, Optional<Integer> fixedNow);

    /** The user's bounds back, and no count fixed any more. */
    static Change usersBack() {
      return (users, fixed) -> Held.users(users);
    }
  }

  /** The minimum the autoscaler applies: 1 when unset, as on the API server. */
  public int effectiveMin() {
    return minReplicas == null ? 1 : minReplicas;
  }

  public static Bounds of(HorizontalPodAutoscalerSpec spec) {
    return new Bounds(spec.getMinReplicas(), spec.getMaxReplicas() == null ? 0 : spec.getMaxReplicas());
  }

  /** The bounds the user set: from the annotation while the rollout has changed them, else the spec. */
  public static Bounds usersOf(HorizontalPodAutoscaler hpa) {
    String stored = annotation(hpa, CanaryLabels.ORIGINAL_BOUNDS);
    return stored == null ? of(hpa.getSpec()) : parse(stored, NamespaceAutoscalers.describe(hpa));
  }

  /** The count a setCanaryScale step fixed the autoscaler at, while it holds. */
  public static Optional<Integer> fixedOf(HorizontalPodAutoscaler hpa) {
    String stored = annotation(hpa, CanaryLabels.FIXED_SCALE);
    if (stored == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Integer.parseInt(stored.trim()));
    } catch (NumberFormatException e) {
      throw new CanaryException(NamespaceAutoscalers.describe(hpa) + ": annotation " + CanaryLabels.FIXED_SCALE + " is '"
          + stored + "'; expected the fixed canary replica count, a number. Remove the annotation to end the fixed scale.");
    }
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
   * The bounds that hold the autoscaler at exactly {@code replicas} pods: minimum and maximum both,
   * above the user's maximum too, since a setCanaryScale step asked for that count. At least 1: an
   * autoscaler keeps at least one pod.
   */
  public static Bounds fixedAt(int replicas) {
    int count = Math.max(1, replicas);
    return new Bounds(count, count);
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
   * Sets the autoscaler to {@code held}, the user's bounds being {@code users}: keeps the user's bounds
   * in {@link CanaryLabels#ORIGINAL_BOUNDS} while they differ and the fixed count in
   * {@link CanaryLabels#FIXED_SCALE} while there is one, and removes each once it is not needed.
   */
  public static HorizontalPodAutoscaler apply(HorizontalPodAutoscaler hpa, Bounds users, Held held) {
    Map<String, String> before = hpa.getMetadata().getAnnotations();
    Map<String, String> annotations = new LinkedHashMap<>(before == null ? Map.of() : before);
    if (held.bounds().equals(users)) {
      annotations.remove(CanaryLabels.ORIGINAL_BOUNDS);
    } else {
      annotations.put(CanaryLabels.ORIGINAL_BOUNDS, users.toAnnotation());
    }
    held.fixed().ifPresentOrElse(n -> annotations.put(CanaryLabels.FIXED_SCALE, Integer.toString(n)),
        () -> annotations.remove(CanaryLabels.FIXED_SCALE));
    hpa.getMetadata().setAnnotations(annotations.isEmpty() && before == null ? null : annotations);
    hpa.getSpec().setMinReplicas(held.bounds().minReplicas());
    hpa.getSpec().setMaxReplicas(held.bounds().maxReplicas());
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
      throw new CanaryException(owner + ": annotation " + CanaryLabels.ORIGINAL_BOUNDS + " is '" + annotation
          + "'; expected the user's bounds as {\"minReplicas\":N,\"maxReplicas\":M}. Restore the autoscaler's"
          + " bounds by hand and remove the annotation.");
    }
    Matcher min = MIN.matcher(annotation);
    Integer minReplicas = min.find() ? Integer.valueOf(min.group(1)) : null;
    return new Bounds(minReplicas, Integer.parseInt(max.group(1)));
  }

  private static String annotation(HorizontalPodAutoscaler hpa, String key) {
    var annotations = hpa.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }

  @Override
  public String toString() {
    return "min " + effectiveMin() + ", max " + maxReplicas;
  }
}
