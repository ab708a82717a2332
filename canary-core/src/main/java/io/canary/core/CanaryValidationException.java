package io.canary.core;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Every problem found in a spec, or in the cluster objects it names, reported together before
 * anything is written.
 */
public class CanaryValidationException extends CanaryException {
  private static final long serialVersionUID = 1L;
  private final transient List<Problem> problems;

  public CanaryValidationException(String subject, List<Problem> problems) {
    super(render(subject, problems));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }

  private static String render(String subject, List<Problem> problems) {
    return subject
        + " is invalid ("
        + problems.size()
        + (problems.size() == 1 ? " problem" : " problems")
        + "):\n"
        + problems.stream().map(p -> "  - " + p).collect(Collectors.joining("\n"));
  }
}
