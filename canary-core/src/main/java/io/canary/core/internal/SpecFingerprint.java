package io.canary.core.internal;

import io.canary.core.CanarySpec;
import io.canary.core.Step;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Names a release: the same spec gives the same fingerprint in every process, so a runner can tell a
 * stored status of this release (resume it) from one of another release (refuse to clobber it).
 * Analysis gates are code and count by name only.
 */
public final class SpecFingerprint {
  private SpecFingerprint() {}

  public static String of(CanarySpec spec) {
    StringBuilder b = new StringBuilder()
        .append(spec.namespace()).append('/').append(spec.name()).append('\n')
        .append(spec.target()).append('\n')
        .append(new TreeMap<>(spec.revision().images())).append('\n')
        .append(spec.revision().podTemplate().map(Object::toString).orElse("")).append('\n')
        .append(spec.revision().existingWorkload().orElse("")).append('\n')
        .append(spec.traffic()).append('\n')
        .append(spec.steps().stream().map(SpecFingerprint::describe).collect(Collectors.joining(";"))).append('\n')
        .append(spec.analysis().map(a -> a.name()).orElse(""));
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  private static String describe(Step step) {
    if (step instanceof Step.Analysis a) {
      return "analysis " + a.analysis().name() + " " + a.analysis().interval() + " " + a.analysis().successfulRuns();
    }
    return step.toString();
  }
}
