/**
 * The declarative form of a {@link io.canary.core.CanarySpec}: {@link io.canary.spec.SpecFile} reads a
 * YAML or JSON file into a spec (every problem at once, each with its YAML path and line) and writes a
 * spec back; analysis gates are declared by kind ({@link io.canary.spec.DeclaredGate}).
 */
@CanaryStyle
package io.canary.spec;

import io.canary.core.CanaryStyle;
