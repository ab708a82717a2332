package io.canary.core.spi;

/** A value with the version it was stored at (for a cluster store, the resourceVersion). */
public record Versioned<T>(T value, String version) {}
