package io.canary.core.spi;

/**
 * A routing or workload object as an adapter would write it, for the dry run.
 *
 * @param kind the object's kind, for example {@code VirtualService}
 * @param name {@code namespace/name}
 * @param yaml the whole object as YAML
 */
public record RenderedObject(String kind, String name, String yaml) {}
