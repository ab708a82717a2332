package io.canary.core;

import java.util.Map;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * What the new revision is. Exactly one of: new images for some containers of the stable pod
 * template (like {@code kubectl argo rollouts set image}); a whole new pod template; or a workload
 * that already exists and is managed by the user (two Deployments, one per version), in which case
 * the rollout only moves traffic and scales.
 */
@Value.Immutable
public abstract class NewRevision {
  /** Container name to new image. */
  public abstract Map<String, String> images();

  /**
   * A complete template for the new revision, of a type the {@code Workloads} adapter defines (for
   * canary-kubernetes {@code PodTemplate.of(podTemplateSpec)}); never modified by the SDK.
   */
  public abstract Optional<RevisionTemplate> podTemplate();

  /** The name of an existing workload, in the rollout's namespace, that runs the new revision. */
  public abstract Optional<String> existingWorkload();

  public static NewRevision image(String container, String image) {
    return ImmutableNewRevision.builder().putImages(container, image).build();
  }

  public static NewRevision images(Map<String, String> images) {
    return ImmutableNewRevision.builder().putAllImages(images).build();
  }

  public static NewRevision podTemplate(RevisionTemplate template) {
    return ImmutableNewRevision.builder().podTemplate(template).build();
  }

  public static NewRevision existingWorkload(String name) {
    return ImmutableNewRevision.builder().existingWorkload(name).build();
  }

  /** True when the rollout creates the canary workload itself. */
  public boolean createsCanaryWorkload() {
    return existingWorkload().isEmpty();
  }

  @Override
  public String toString() {
    if (existingWorkload().isPresent()) {
      return "existing workload " + existingWorkload().get();
    }
    if (podTemplate().isPresent()) {
      return "pod template";
    }
    return "images " + images();
  }
}
