package io.canary.core.internal;

import io.canary.core.AnalysisSpec;
import io.canary.core.CanarySpec;
import io.canary.core.RouteMatch;
import io.canary.core.Step;
import io.canary.core.StringMatch;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Names a release: the same spec gives the same fingerprint in every process and library version, so
 * a runner can tell a stored status of this release (resume it) from one of another release (refuse
 * to clobber it). The fingerprint hashes an explicit canonical form, written field by field: no
 * {@code toString()} takes part, so a library upgrade does not change it. Analysis gates are code and
 * count by name and schedule only.
 */
public final class SpecFingerprint {
  /** The prefix of fingerprints of this canonical form; fingerprints without one are of release 0.1. */
  static final String PREFIX = "v2-";

  private SpecFingerprint() {}

  public static String of(CanarySpec spec) {
    return PREFIX + sha256(canonicalForm(spec));
  }

  /** A hash of the release alone (no prefix), for adapters that name a revision after its spec. */
  public static String hash(CanarySpec spec) {
    return sha256(canonicalForm(spec));
  }

  /** True when a status stored with {@code stored} belongs to {@code spec}'s release. */
  public static boolean matches(String stored, CanarySpec spec) {
    return stored.startsWith(PREFIX) ? stored.equals(of(spec)) : stored.equals(LegacyFingerprint.of(spec));
  }

  /** The text the fingerprint hashes: one line per field, steps in order. */
  public static String canonicalForm(CanarySpec spec) {
    StringBuilder b = new StringBuilder();
    line(b, "rollout", spec.namespace() + "/" + spec.name());
    line(b, "target", spec.target().kind() + "/" + spec.target().name());
    line(b, "images", map(spec.revision().images()));
    line(b, "template", spec.revision().podTemplate().map(t -> t.canonicalForm()).orElse(""));
    line(b, "existingWorkload", spec.revision().existingWorkload().orElse(""));
    line(b, "traffic", spec.traffic().canonicalForm());
    for (int i = 0; i < spec.steps().size(); i++) {
      line(b, "step " + i, step(spec.steps().get(i)));
    }
    line(b, "analysis", spec.analysis().map(SpecFingerprint::analysis).orElse(""));
    // only when given, so that the fingerprints of releases without one stay what they were
    spec.scaling().canaryAutoscaler().ifPresent(a -> line(b, "canaryAutoscaler", a.kind() + " " + a.canonicalForm()));
    return b.toString();
  }

  private static String step(Step step) {
    if (step instanceof Step.SetWeight w) {
      return "setWeight " + w.weight();
    }
    if (step instanceof Step.Pause p) {
      return "pause " + p.duration().map(d -> d.toString()).orElse("untilPromoted");
    }
    if (step instanceof Step.SetCanaryScale s) {
      return "setCanaryScale replicas=" + s.replicas().map(String::valueOf).orElse("") + " percent="
          + s.percent().map(String::valueOf).orElse("") + " matchTrafficWeight=" + s.matchTrafficWeight();
    }
    if (step instanceof Step.Analysis a) {
      return "analysis " + analysis(a.analysis());
    }
    if (step instanceof Step.SetHeaderRoute h) {
      return "setHeaderRoute " + h.name() + " canaryWeight=" + h.canaryWeight() + " matches=" + matches(h.matches());
    }
    if (step instanceof Step.SetMirrorRoute m) {
      return "setMirrorRoute " + m.name() + " percent=" + m.percent() + " matches=" + matches(m.matches());
    }
    throw new IllegalArgumentException("a step kind without a canonical form: " + step.getClass().getName());
  }

  private static String analysis(AnalysisSpec a) {
    return a.name() + " interval=" + a.interval() + " successfulRuns=" + a.successfulRuns();
  }

  private static String matches(List<RouteMatch> matches) {
    return matches.stream().map(m -> "{headers=" + m.headers().entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(e -> e.getKey() + ":" + match(e.getValue()))
            .collect(Collectors.joining(","))
            + " uri=" + m.uri().map(SpecFingerprint::match).orElse("")
            + " method=" + m.method().map(SpecFingerprint::match).orElse("") + "}")
        .collect(Collectors.joining(","));
  }

  private static String match(StringMatch m) {
    return m.kind().name() + "=" + m.value();
  }

  private static String map(Map<String, String> map) {
    return new TreeMap<>(map).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
  }

  private static void line(StringBuilder b, String key, String value) {
    b.append(key).append(": ").append(value.replace("\n", "\\n")).append('\n');
  }

  static String sha256(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
