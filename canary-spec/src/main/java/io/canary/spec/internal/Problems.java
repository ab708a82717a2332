package io.canary.spec.internal;

import io.canary.spec.SpecProblem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Every problem of one file, gathered while reading it, so that all are reported at once. */
public final class Problems {
  private final String file;
  private final List<SpecProblem> problems = new ArrayList<>();

  public Problems(String file) {
    this.file = file;
  }

  public void add(String path, int line, int column, String message) {
    problems.add(new SpecProblem(file, path.isEmpty() ? "(top level)" : path, line, column, message));
  }

  public void at(Node node, String message) {
    add(node.path(), node.line(), node.column(), message);
  }

  public boolean isEmpty() {
    return problems.isEmpty();
  }

  /** In the order they appear in the file. */
  public List<SpecProblem> sorted() {
    return problems.stream().sorted(Comparator.comparingInt(SpecProblem::line).thenComparingInt(SpecProblem::column))
        .distinct().toList();
  }
}
