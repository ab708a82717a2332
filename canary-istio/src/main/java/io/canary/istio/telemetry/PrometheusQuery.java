package io.canary.istio.telemetry;

import io.canary.core.CanaryException;
import io.canary.core.CanarySpec;
import io.canary.istio.ServiceStrategy;
import io.canary.istio.SubsetStrategy;
import io.canary.core.analysis.MetricQuery;
import io.canary.core.spi.AnalysisContext;
import io.canary.istio.telemetry.internal.InstantQueryClient;
import io.canary.istio.telemetry.internal.PromQl;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The user's own PromQL with variables, evaluated at the end of the analysis window: a success rate, a
 * latency percentile, any value. Made by {@link PrometheusMetricSource#query(String)}; use it in a
 * {@link io.canary.core.analysis.ThresholdRule}.
 *
 * <p>Variables are written {@code {{ name }}} (as in Flagger's metric templates):
 *
 * <table>
 *   <tr><td>{@code namespace}, {@code name}</td><td>the rollout's namespace and name</td></tr>
 *   <tr><td>{@code target}, {@code stable_workload}</td><td>the stable revision's workload</td></tr>
 *   <tr><td>{@code canary_workload}</td><td>the canary revision's workload</td></tr>
 *   <tr><td>{@code stable_service}, {@code canary_service}</td><td>the Services of the traffic strategy (the one
 *       Service of a subset strategy for both)</td></tr>
 *   <tr><td>{@code stable_hash}, {@code canary_hash}</td><td>the revisions' hashes</td></tr>
 *   <tr><td>{@code window}, {@code interval}</td><td>the window as a PromQL range ({@code 60s})</td></tr>
 * </table>
 *
 * Names and hashes are escaped as the inside of a PromQL string: a value cannot end the user's quotes.
 */
public final class PrometheusQuery implements MetricQuery {
  static final Set<String> VARIABLES = Set.of("namespace", "name", "target", "stable_workload", "canary_workload",
      "stable_service", "canary_service", "stable_hash", "canary_hash", "window", "interval");
  private static final Pattern VARIABLE = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");

  private final InstantQueryClient client;
  private final String template;

  PrometheusQuery(InstantQueryClient client, String template) {
    if (template == null || template.isBlank()) {
      throw new IllegalArgumentException("PrometheusQuery template must not be empty");
    }
    Matcher m = VARIABLE.matcher(template);
    while (m.find()) {
      if (!VARIABLES.contains(m.group(1))) {
        throw new IllegalArgumentException("PrometheusQuery template has an unknown variable {{ " + m.group(1) + " }}; known: "
            + VARIABLES.stream().sorted().toList() + "; in " + template);
      }
    }
    String left = VARIABLE.matcher(template).replaceAll("");
    if (left.contains("{{") || left.contains("}}")) {
      throw new IllegalArgumentException("PrometheusQuery template has a '{{' or '}}' that is not a variable {{ name }}: "
          + template);
    }
    this.client = client;
    this.template = template;
  }

  public String template() {
    return template;
  }

  @Override
  public String render(AnalysisContext ctx) {
    Map<String, String> values = values(ctx);
    Matcher m = VARIABLE.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(values.get(m.group(1))));
    }
    m.appendTail(out);
    return out.toString();
  }

  @Override
  public double value(AnalysisContext ctx) {
    if (!ctx.windowStart().isBefore(ctx.windowEnd())) {
      throw new CanaryException("Prometheus query for " + ctx.key() + ": the window must start before it ends, was from "
          + ctx.windowStart() + " to " + ctx.windowEnd());
    }
    double v = InstantQueryClient.await(client.send(render(ctx), ctx.windowEnd()));
    // No series, NaN (0/0: no requests) and infinities are no data: never a pass.
    return Double.isFinite(v) ? v : Double.NaN;
  }

  private static Map<String, String> values(AnalysisContext ctx) {
    CanarySpec spec = ctx.spec();
    List<String> services = services(spec);
    Map<String, String> v = new LinkedHashMap<>();
    v.put("namespace", inner(spec.namespace()));
    v.put("name", inner(spec.name()));
    v.put("target", inner(ctx.revisions().stable().workload()));
    v.put("stable_workload", inner(ctx.revisions().stable().workload()));
    v.put("canary_workload", inner(ctx.revisions().canary().workload()));
    v.put("stable_service", inner(services.get(0)));
    v.put("canary_service", inner(services.get(1)));
    v.put("stable_hash", inner(ctx.revisions().stable().hash()));
    v.put("canary_hash", inner(ctx.revisions().canary().hash()));
    String range = PromQl.range(Duration.between(ctx.windowStart(), ctx.windowEnd()));
    v.put("window", range);
    v.put("interval", range);
    return v;
  }

  private static List<String> services(CanarySpec spec) {
    if (spec.traffic() instanceof ServiceStrategy s) {
      return List.of(s.stableService(), s.canaryService());
    }
    if (spec.traffic() instanceof SubsetStrategy s) {
      return List.of(s.service(), s.service());
    }
    return List.of("", "");
  }

  /** The inside of a PromQL string literal: escaped, without its quotes. */
  private static String inner(String value) {
    String quoted = PromQl.quote(value);
    return quoted.substring(1, quoted.length() - 1);
  }

  @Override
  public String toString() {
    return "PrometheusQuery[" + template + "]";
  }
}
