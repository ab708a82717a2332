package io.canary.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.canary.core.RevisionTemplate;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Objects;

/**
 * A whole pod template as the new revision, for {@link KubernetesWorkloads}:
 * {@code NewRevision.podTemplate(PodTemplate.of(template))}. The template is copied: later changes to
 * the given object do not reach the release.
 */
public final class PodTemplate implements RevisionTemplate {
  private static final ObjectMapper CANONICAL = Serialization.jsonMapper().copy()
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private final PodTemplateSpec template;

  private PodTemplate(PodTemplateSpec template) {
    this.template = template;
  }

  public static PodTemplate of(PodTemplateSpec template) {
    Objects.requireNonNull(template, "template");
    return new PodTemplate(CANONICAL.convertValue(template, PodTemplateSpec.class));
  }

  /** A copy of the template. */
  public PodTemplateSpec template() {
    return CANONICAL.convertValue(template, PodTemplateSpec.class);
  }

  /** The template as JSON with map keys sorted, so equal templates give equal text. */
  @Override
  public String canonicalForm() {
    try {
      return CANONICAL.writeValueAsString(template);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a PodTemplateSpec that does not serialize: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PodTemplate other && template.equals(other.template);
  }

  @Override
  public int hashCode() {
    return template.hashCode();
  }

  /** The template's own text (release 0.1 fingerprinted a pod template by it). */
  @Override
  public String toString() {
    return template.toString();
  }
}
