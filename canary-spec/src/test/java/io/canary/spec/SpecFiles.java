package io.canary.spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The spec files the tests read: this module's test resources and the scenarios' canary.yaml. */
final class SpecFiles {
  private SpecFiles() {}

  static Path resource(String name) {
    return Path.of("src/test/resources/specs").resolve(name);
  }

  /** Every scenarios/NAME/canary.yaml of the repository. */
  static List<Path> scenarioSpecs() {
    Path scenarios = Path.of("").toAbsolutePath().getParent().resolve("scenarios");
    try (Stream<Path> dirs = Files.list(scenarios)) {
      List<Path> files = new ArrayList<>(dirs.map(d -> d.resolve("canary.yaml")).filter(Files::isRegularFile).sorted().toList());
      if (files.size() < 5) {
        throw new IllegalStateException("expected the five seed scenarios' canary.yaml under " + scenarios + ", found " + files);
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every valid spec file: the scenarios' and the option-covering ones. */
  static List<Path> validSpecs() {
    List<Path> all = new ArrayList<>(scenarioSpecs());
    all.add(resource("every-option.yaml"));
    all.add(resource("gateway-api-options.yaml"));
    return all;
  }
}
