package io.canary.spec;

/**
 * One problem of a spec file: the file, the YAML path of the value ({@code steps[2].setWeight}), its
 * line and column (1-based; 0 when the problem has no place in the file) and what would be right.
 */
public record SpecProblem(String file, String path, int line, int column, String message) {
  /** {@code canary.yaml:12:5: steps[2].setWeight: must be within 0..100, was 120}. */
  @Override
  public String toString() {
    return place() + ": " + message;
  }

  /** {@code canary.yaml:12:5: steps[2].setWeight}. */
  public String place() {
    return file + (line > 0 ? ":" + line + ":" + column : "") + ": " + path;
  }
}
