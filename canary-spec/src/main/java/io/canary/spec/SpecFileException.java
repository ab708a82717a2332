package io.canary.spec;

import io.canary.core.CanaryValidationException;
import io.canary.core.Problem;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A spec file that cannot become a {@link io.canary.core.CanarySpec}: every problem at once, reading
 * problems and the spec's own validation alike, each with its YAML path and line.
 */
public final class SpecFileException extends CanaryValidationException {
  private static final long serialVersionUID = 1L;

  private final transient List<SpecProblem> fileProblems;

  public SpecFileException(String file, List<SpecProblem> problems) {
    super(file, problems.stream().map(p -> Problem.of(p.place(), p.message())).collect(Collectors.toList()));
    this.fileProblems = List.copyOf(problems);
  }

  /** The problems with their file, path, line and column, in the order they appear in the file. */
  public List<SpecProblem> fileProblems() {
    return fileProblems;
  }
}
