package io.canary.core;

/**
 * A whole template of the new revision, of a type its {@link io.canary.core.spi.Workloads} adapter
 * defines (canary-kubernetes: {@code PodTemplate.of(podTemplateSpec)}); the adapter refuses a type it
 * does not know.
 */
public interface RevisionTemplate {
  /**
   * The template as canonical text, part of the release's fingerprint: equal templates give equal text
   * in every process and library version.
   */
  String canonicalForm();
}
