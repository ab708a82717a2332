package io.canary.istio.telemetry;

import io.canary.core.CanaryException;
import io.canary.core.CanarySpec;
import io.canary.core.Revision;
import io.canary.core.spi.LatencyHistogram;
import io.canary.core.spi.MetricSource;
import io.canary.core.spi.TrafficSample;
import io.canary.istio.telemetry.internal.InstantQueryClient;
import io.canary.istio.telemetry.internal.PromQl;
import io.canary.istio.telemetry.internal.PromQl.Matcher;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Request figures of a revision from Istio's standard metrics, read through the Prometheus HTTP API.
 *
 * <p>For a revision and a window {@code [from, to]} it sends three instant queries evaluated at
 * {@code to}, each over a range as long as the window:
 *
 * <pre>
 * sum(increase(istio_requests_total{SELECTOR}[60s]))                              requests
 * sum(increase(istio_requests_total{SELECTOR,response_code=~"5.."}[60s]))         errors
 * histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{SELECTOR}[60s])))
 * </pre>
 *
 * where {@code SELECTOR} is {@code reporter="destination",destination_workload_namespace="<spec
 * namespace>",destination_workload="<revision workload>"} plus the labels the builder adds. No data
 * answers 0 requests and an unknown ({@code NaN}) latency, so the gates of
 * {@link io.canary.core.analysis.AnalysisGates} answer inconclusive rather than guess. An unreachable
 * Prometheus or an error answer throws a {@link CanaryException}; the runner counts a throwing gate as
 * inconclusive.
 *
 * <pre>{@code
 * MetricSource istio = PrometheusMetricSource.builder()
 *     .baseUrl("http://prometheus.istio-system:9090")
 *     .build();
 * AnalysisGate gate = AnalysisGates.successRate(istio, 0.99, 100);
 * }</pre>
 *
 * <p>Immutable and safe to share between rollouts and threads.
 */
public final class PrometheusMetricSource implements MetricSource {
  /** Istio's counter of requests, labelled with the response code, reporter, source and destination. */
  public static final String REQUESTS_METRIC = "istio_requests_total";
  /** Istio's request duration histogram, in milliseconds. */
  public static final String DURATION_BUCKETS_METRIC = "istio_request_duration_milliseconds_bucket";

  private static final Set<String> REVISION_LABELS = Set.of("reporter", "destination_workload_namespace",
      "destination_workload", "response_code");

  private final InstantQueryClient client;
  private final String reporter;
  private final Map<String, String> podLabelSelectors;
  private final Map<String, String> fixedLabels;
  private final String errorResponseCodes;

  private PrometheusMetricSource(Builder b, InstantQueryClient client) {
    this.client = client;
    this.reporter = b.reporter;
    this.podLabelSelectors = Map.copyOf(b.podLabelSelectors);
    this.fixedLabels = Collections.unmodifiableMap(new LinkedHashMap<>(b.fixedLabels));
    this.errorResponseCodes = b.errorResponseCodes;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The URL the queries go to ({@code <base URL>/api/v1/query}). */
  public URI queryEndpoint() {
    return client.endpoint();
  }

  @Override
  public TrafficSample query(CanarySpec spec, Revision revision, Instant from, Instant to) {
    if (!from.isBefore(to)) {
      throw new CanaryException("Prometheus query for " + revision + " in " + spec.key()
          + ": the window must start before it ends, was from " + from + " to " + to);
    }
    String range = PromQl.range(Duration.between(from, to));
    List<Matcher> selector = selector(spec, revision);
    List<Matcher> errorSelector = new ArrayList<>(selector);
    errorSelector.add(Matcher.matching("response_code", errorResponseCodes));

    // The three answers are awaited together: one round trip of waiting, not three.
    CompletableFuture<Double> requests = client.send(
        "sum(increase(" + PromQl.selector(REQUESTS_METRIC, selector) + "[" + range + "]))", to);
    CompletableFuture<Double> errors = client.send(
        "sum(increase(" + PromQl.selector(REQUESTS_METRIC, errorSelector) + "[" + range + "]))", to);
    CompletableFuture<Double> latency = client.send("histogram_quantile(0.99, sum by (le) (rate("
        + PromQl.selector(DURATION_BUCKETS_METRIC, selector) + "[" + range + "])))", to);

    long requestCount = count(InstantQueryClient.await(requests));
    // Increase is extrapolated per series, so the error count can come out a hair above the total.
    long errorCount = Math.min(count(InstantQueryClient.await(errors)), requestCount);
    return new TrafficSample(requestCount, errorCount, millis(InstantQueryClient.await(latency)));
  }

  /**
   * The request durations {@code revision} served in the window, from Istio's histogram:
   * {@code sum by (le) (increase(istio_request_duration_milliseconds_bucket{SELECTOR}[range]))}.
   * No series answers {@link LatencyHistogram#EMPTY}.
   */
  @Override
  public LatencyHistogram latency(CanarySpec spec, Revision revision, Instant from, Instant to) {
    if (!from.isBefore(to)) {
      throw new CanaryException("Prometheus query for " + revision + " in " + spec.key()
          + ": the window must start before it ends, was from " + from + " to " + to);
    }
    String promql = "sum by (le) (increase(" + PromQl.selector(DURATION_BUCKETS_METRIC, selector(spec, revision)) + "["
        + PromQl.range(Duration.between(from, to)) + "]))";
    Map<String, Double> buckets = InstantQueryClient.await(client.sendSeries(promql, to, "le"));
    TreeMap<Double, Long> byBound = new TreeMap<>();
    buckets.forEach((le, count) -> byBound.put(bound(le), count(count)));
    // Extrapolated increases of separate series can dip below a lower bucket's: counts never decrease.
    List<Long> cumulative = new ArrayList<>();
    long highest = 0;
    for (long c : byBound.values()) {
      highest = Math.max(highest, c);
      cumulative.add(highest);
    }
    return new LatencyHistogram(new ArrayList<>(byBound.keySet()), cumulative);
  }

  private static double bound(String le) {
    return "+Inf".equals(le) || "Inf".equals(le) ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
  }

  /**
   * The user's own PromQL with variables ({@code {{ canary_workload }}}, {@code {{ window }}}... see
   * {@link PrometheusQuery}), sent to this Prometheus with this source's credentials and timeout.
   */
  public PrometheusQuery query(String template) {
    return new PrometheusQuery(client, template);
  }

  private List<Matcher> selector(CanarySpec spec, Revision revision) {
    List<Matcher> matchers = new ArrayList<>();
    matchers.add(Matcher.equal("reporter", reporter));
    matchers.add(Matcher.equal("destination_workload_namespace", spec.namespace()));
    matchers.add(Matcher.equal("destination_workload", revision.workload()));
    podLabelSelectors.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      String value = revision.podLabels().get(e.getValue());
      if (value == null) {
        throw new CanaryException("Prometheus query for " + revision + " in " + spec.key() + ": the revision has no pod label "
            + e.getValue() + " to select " + e.getKey() + " by; its pod labels are " + revision.podLabels());
      }
      matchers.add(Matcher.equal(e.getKey(), value));
    });
    fixedLabels.forEach((label, value) -> matchers.add(Matcher.equal(label, value)));
    return matchers;
  }

  /** A count from an increase: none, or not a finite number, counts as no requests. */
  private static long count(double value) {
    return Double.isFinite(value) && value > 0 ? Math.round(value) : 0;
  }

  /** A latency from histogram_quantile: NaN (no observations) and any non-finite value mean unknown. */
  private static double millis(double value) {
    return Double.isFinite(value) && value >= 0 ? value : Double.NaN;
  }

  @Override
  public String toString() {
    return "PrometheusMetricSource[" + client.endpoint() + "]";
  }

  /** Builds a {@link PrometheusMetricSource}; every setter rejects a bad value at once, naming it. */
  public static final class Builder {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private URI baseUrl;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Supplier<String> bearerToken;
    private Duration requestTimeout = DEFAULT_TIMEOUT;
    private HttpClient httpClient;
    private String reporter = "destination";
    private final Map<String, String> podLabelSelectors = new LinkedHashMap<>();
    private final Map<String, String> fixedLabels = new LinkedHashMap<>();
    private String errorResponseCodes = "5..";

    private Builder() {}

    /**
     * Prometheus's base URL, {@code http} or {@code https}, with the path prefix it is served under if
     * any ({@code http://prometheus.istio-system:9090}, {@code https://proxy/prometheus/}). Required.
     */
    public Builder baseUrl(String baseUrl) {
      Objects.requireNonNull(baseUrl, "baseUrl");
      try {
        return baseUrl(new URI(baseUrl.strip()));
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("PrometheusMetricSource baseUrl is not a URL (" + e.getMessage()
            + "); expected for example http://prometheus.istio-system:9090");
      }
    }

    /** @see #baseUrl(String) */
    public Builder baseUrl(URI baseUrl) {
      Objects.requireNonNull(baseUrl, "baseUrl");
      if (!"http".equalsIgnoreCase(baseUrl.getScheme()) && !"https".equalsIgnoreCase(baseUrl.getScheme())
          || baseUrl.getHost() == null) {
        throw new IllegalArgumentException("PrometheusMetricSource baseUrl must be an http or https URL with a host, "
            + "for example http://prometheus.istio-system:9090");
      }
      if (baseUrl.getRawUserInfo() != null) {
        // Not echoed back: it holds a password.
        throw new IllegalArgumentException("PrometheusMetricSource baseUrl must not hold credentials (user info); "
            + "give them with bearerToken(...) or header(\"Authorization\", ...)");
      }
      if (baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
        throw new IllegalArgumentException("PrometheusMetricSource baseUrl must have no query or fragment, was "
            + baseUrl);
      }
      this.baseUrl = baseUrl;
      return this;
    }

    /** A token sent as {@code Authorization: Bearer <token>} with every query. */
    public Builder bearerToken(String token) {
      String given = requireText("bearerToken", token, "");
      return bearerToken(() -> given);
    }

    /**
     * Gives the bearer token for each query, for tokens that rotate (a projected service account
     * token read from its file, for example).
     */
    public Builder bearerToken(Supplier<String> token) {
      this.bearerToken = Objects.requireNonNull(token, "bearerToken");
      return this;
    }

    /** An extra header sent with every query ({@code X-Scope-OrgID} for a multi-tenant store, for example). */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "header name");
      Objects.requireNonNull(value, "header " + name);
      try {
        HttpRequest.newBuilder().header(name, value);
      } catch (IllegalArgumentException e) {
        // The value is not echoed back: it may be a credential.
        throw new IllegalArgumentException("PrometheusMetricSource header " + name
            + " cannot be sent: the name is restricted or invalid, or the value holds a line break or control character");
      }
      headers.put(name, value);
      return this;
    }

    /** How long one query may take, from sending to the whole answer read. Default 10 seconds. */
    public Builder requestTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "requestTimeout");
      if (timeout.toMillis() < 1) {
        throw new IllegalArgumentException("PrometheusMetricSource requestTimeout must be at least 1ms, was " + timeout);
      }
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * The HTTP client to send queries with (its TLS, proxy and executor settings apply). By default, a
     * client of its own with the request timeout as connect timeout.
     */
    public Builder httpClient(HttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "httpClient");
      return this;
    }

    /**
     * Whose report of the request counts: {@code destination} (the revision's own sidecar; the
     * default), {@code source}, or {@code waypoint} in ambient mode.
     */
    public Builder reporter(String reporter) {
      this.reporter = requireText("reporter", reporter, "; Istio reports as destination, source or waypoint");
      return this;
    }

    /**
     * Also selects a revision's traffic by its pod label {@code podLabel}, read from
     * {@link Revision#podLabels()}, as the metric label {@code metricLabel} (a custom dimension added
     * with Istio's Telemetry API, for example). A revision without that pod label cannot be queried.
     */
    public Builder selectByPodLabel(String podLabel, String metricLabel) {
      requireText("selectByPodLabel podLabel", podLabel, "");
      requireFreeLabel("selectByPodLabel metricLabel", metricLabel);
      podLabelSelectors.put(metricLabel, podLabel);
      return this;
    }

    /**
     * Also selects a revision's traffic by Istio's {@code destination_version}, which Istio takes from
     * the pod label {@code version} (or {@code app.kubernetes.io/version}); {@code podLabel} names the
     * label of {@link Revision#podLabels()} that holds it.
     */
    public Builder selectByVersionLabel(String podLabel) {
      return selectByPodLabel(podLabel, "destination_version");
    }

    /** Also requires {@code metricLabel="value"} ({@code destination_cluster}, for example). */
    public Builder matchLabel(String metricLabel, String value) {
      requireFreeLabel("matchLabel metricLabel", metricLabel);
      fixedLabels.put(metricLabel, Objects.requireNonNull(value, "matchLabel value"));
      return this;
    }

    /**
     * Which {@code response_code}s count as errors, as a regular expression (RE2, anchored by
     * Prometheus). Default {@code 5..}; {@code 5..|429} also counts rate limiting.
     */
    public Builder errorResponseCodes(String regex) {
      requireText("errorResponseCodes", regex, "; expected for example 5..");
      try {
        Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("PrometheusMetricSource errorResponseCodes is not a regular expression: "
            + e.getDescription() + " in " + regex + "; expected for example 5..");
      }
      this.errorResponseCodes = regex;
      return this;
    }

    public PrometheusMetricSource build() {
      if (baseUrl == null) {
        throw new IllegalArgumentException("PrometheusMetricSource baseUrl is required, for example "
            + "http://prometheus.istio-system:9090");
      }
      if (bearerToken != null && headers.keySet().stream().anyMatch("Authorization"::equalsIgnoreCase)) {
        throw new IllegalArgumentException("PrometheusMetricSource has both a bearerToken and an Authorization "
            + "header; give one of them");
      }
      String path = baseUrl.getRawPath() == null ? "" : baseUrl.getRawPath();
      URI endpoint = baseUrl.resolve((path.endsWith("/") ? path : path + "/") + "api/v1/query");
      HttpClient http = httpClient != null ? httpClient : HttpClient.newBuilder()
          .connectTimeout(requestTimeout)
          // Prometheus speaks HTTP/2 only over TLS; an h2c upgrade attempt on plain HTTP gains nothing.
          .version(HttpClient.Version.HTTP_1_1)
          .build();
      return new PrometheusMetricSource(this,
          new InstantQueryClient(http, endpoint, requestTimeout, headers, bearerToken));
    }

    private static String requireText(String field, String value, String hint) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException("PrometheusMetricSource " + field + " must not be empty" + hint);
      }
      return value;
    }

    private void requireFreeLabel(String field, String label) {
      if (!PromQl.isLabelName(label)) {
        throw new IllegalArgumentException("PrometheusMetricSource " + field + " '" + label
            + "' is not a Prometheus label name; expected letters, digits and underscores, not starting with a digit"
            + " or with __");
      }
      if (REVISION_LABELS.contains(label) || podLabelSelectors.containsKey(label) || fixedLabels.containsKey(label)) {
        throw new IllegalArgumentException("PrometheusMetricSource " + field + " '" + label
            + "' is already selected; each label is matched once (reporter, destination_workload_namespace, "
            + "destination_workload and response_code are always set)");
      }
    }
  }
}
