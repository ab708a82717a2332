package io.canary.core.spi;

/** One pod of a revision, for the status tree. */
public record PodSummary(String name, boolean ready, String phase) {}
