package io.canary.spec;

import io.canary.core.CanarySpec;
import io.canary.spec.internal.Node;
import io.canary.spec.internal.Problems;
import io.canary.spec.internal.SpecReader;
import io.canary.spec.internal.SpecWriter;
import io.canary.spec.internal.Tree;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The file form of a {@link CanarySpec}, in YAML or JSON (see docs/spec-format.md):
 *
 * <pre>{@code
 * CanarySpec spec = SpecFile.read(Path.of("canary.yaml"));            // or read(path, options)
 * String yaml = SpecFile.toYaml(spec);                                // read back, it equals spec
 * }</pre>
 *
 * Reading reports every problem at once in a {@link SpecFileException}, each with the file, the YAML path
 * and the line: problems of the file (unknown fields, values of the wrong kind, missing fields) and the
 * spec's own validation ({@code CanarySpec.builder().build()}), mapped back to the lines they came from.
 */
public final class SpecFile {
  private static final String SCHEMA = "/io/canary/spec/canary-spec.schema.json";

  private SpecFile() {}

  public static CanarySpec read(Path file) {
    return read(file, SpecOptions.defaults());
  }

  /** Reads {@code file}; JSON when its name ends in {@code .json}, YAML otherwise. */
  public static CanarySpec read(Path file, SpecOptions options) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new SpecFileException(file.toString(), List.of(new SpecProblem(file.toString(), "(file)", 0, 0,
          "cannot be read: " + e.getClass().getSimpleName() + " " + e.getMessage())));
    }
    return parse(text, file.toString(), options);
  }

  /** Reads {@code text}, named {@code source} in problems (a file name; JSON when it ends in {@code .json}). */
  public static CanarySpec parse(String text, String source, SpecOptions options) {
    Problems problems = new Problems(source);
    Optional<Node> top = Tree.parse(text, source.endsWith(".json"), problems);
    Optional<CanarySpec> spec = top.flatMap(t -> new SpecReader(problems, options).read(t));
    if (spec.isEmpty() || !problems.isEmpty()) {
      throw new SpecFileException(source, problems.sorted());
    }
    return spec.get();
  }

  /** The spec as YAML, leaving out what equals its default; {@link #parse} of it equals {@code spec}. */
  public static String toYaml(CanarySpec spec) {
    return SpecWriter.yaml(spec);
  }

  public static String toJson(CanarySpec spec) {
    return SpecWriter.json(spec);
  }

  /** The JSON Schema of the format (draft 2020-12), for editors. */
  public static String schema() {
    try (InputStream in = SpecFile.class.getResourceAsStream(SCHEMA)) {
      if (in == null) {
        throw new IllegalStateException(SCHEMA + " is missing from canary-spec's jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
