package io.canary.spec;

import io.canary.core.spi.AnalysisContext;
import io.canary.core.spi.AnalysisGate;
import io.canary.core.spi.AnalysisResult;
import java.util.Map;
import java.util.Objects;

/**
 * An analysis gate a spec file declares by kind ({@code sequentialJudge}, {@code thresholds},
 * {@code flagger}) and the gate the reader made of it. Two declared gates are equal when their
 * declarations are (the gate inside holds code and a metrics client): that is what lets a spec read
 * from a file equal the same spec read again, and what the writer writes back.
 */
public final class DeclaredGate implements AnalysisGate {
  private final String kind;
  private final Map<String, Object> declaration;
  private final AnalysisGate gate;

  private DeclaredGate(String kind, Map<String, Object> declaration, AnalysisGate gate) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.declaration = Map.copyOf(declaration);
    this.gate = Objects.requireNonNull(gate, "gate");
  }

  /** The gate {@code declaration} made; equal to every other gate of the same kind and declaration. */
  public static DeclaredGate of(String kind, Map<String, Object> declaration, AnalysisGate gate) {
    return new DeclaredGate(kind, declaration, gate);
  }

  /** The kind as the file names it, for example {@code sequentialJudge}. */
  public String kind() {
    return kind;
  }

  /**
   * The fields as declared (numbers as {@code Double} or {@code Long}, durations and URLs as text), with
   * {@code prometheusUrl} the Prometheus the gate reads, however the file or the command line gave it.
   */
  public Map<String, Object> declaration() {
    return declaration;
  }

  /** The gate the declaration made: a {@code SequentialJudge}, a {@code ThresholdGate}... */
  public AnalysisGate gate() {
    return gate;
  }

  @Override
  public AnalysisResult evaluate(AnalysisContext context) {
    return gate.evaluate(context);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeclaredGate other && kind.equals(other.kind) && declaration.equals(other.declaration);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, declaration);
  }

  @Override
  public String toString() {
    return kind + new java.util.TreeMap<>(declaration);
  }
}
