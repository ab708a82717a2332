package io.canary.istio.telemetry.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canary.core.CanaryException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs PromQL instant queries ({@code GET /api/v1/query?query=…&time=…}) and reads the single value
 * each answers. Every failure becomes a {@link CanaryException} that names the endpoint, the query and
 * what came back, and never the credentials sent.
 */
public final class InstantQueryClient {
  private static final Logger LOG = LoggerFactory.getLogger(InstantQueryClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EXCERPT_LENGTH = 300;

  private final HttpClient http;
  private final URI endpoint;
  private final Duration timeout;
  private final Map<String, String> headers;
  private final Supplier<String> bearerToken;

  /**
   * @param endpoint the {@code …/api/v1/query} URI, without user info or query
   * @param bearerToken gives the token for each request; {@code null} to send none
   */
  public InstantQueryClient(HttpClient http, URI endpoint, Duration timeout, Map<String, String> headers,
      Supplier<String> bearerToken) {
    this.http = http;
    this.endpoint = endpoint;
    this.timeout = timeout;
    this.headers = Map.copyOf(headers);
    this.bearerToken = bearerToken;
  }

  public URI endpoint() {
    return endpoint;
  }

  /**
   * Sends {@code promql} evaluated at {@code time}. The answer is the value of the one sample it
   * returns, {@code NaN} when it returns none; a failure completes the future with a
   * {@link CanaryException}.
   */
  public CompletableFuture<Double> send(String promql, Instant time) {
    String at = PromQl.time(time);
    HttpRequest request = request(promql, at);
    LOG.debug("Prometheus {}: {} at time={}", endpoint, promql, at);
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        // The request timeout ends the wait for the response head; this one bounds the body as well.
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((response, failure) -> {
          if (failure != null) {
            throw unreachable(promql, at, failure);
          }
          return value(promql, at, response);
        });
  }

  /**
   * Sends {@code promql} evaluated at {@code time} and answers the value of each series it returns, by the
   * value of its label {@code byLabel} (for example the {@code le} of histogram buckets). Series without
   * the label are left out.
   */
  public CompletableFuture<Map<String, Double>> sendSeries(String promql, Instant time, String byLabel) {
    String at = PromQl.time(time);
    LOG.debug("Prometheus {}: {} at time={}", endpoint, promql, at);
    return http.sendAsync(request(promql, at), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((response, failure) -> {
          if (failure != null) {
            throw unreachable(promql, at, failure);
          }
          String body = response.body() == null ? "" : response.body();
          JsonNode data = data(promql, at, response);
          if (!"vector".equals(data.path("resultType").asText(""))) {
            throw answered(promql, at, "a result of type \"" + data.path("resultType").asText("")
                + "\" where a vector was expected: " + excerpt(body));
          }
          Map<String, Double> values = new java.util.LinkedHashMap<>();
          for (JsonNode series : data.path("result")) {
            JsonNode label = series.path("metric").path(byLabel);
            if (label.isTextual()) {
              values.put(label.asText(), sample(promql, at, series.path("value"), body));
            }
          }
          return values;
        });
  }

  /** Waits for {@code answer}, throwing the {@link CanaryException} it failed with. */
  public static <T> T await(CompletableFuture<T> answer) {
    try {
      return answer.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CanaryException("interrupted while waiting for Prometheus", e);
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e.getCause());
      if (cause instanceof CanaryException ce) {
        throw ce;
      }
      throw new CanaryException("Prometheus query failed: " + cause, cause);
    }
  }

  private HttpRequest request(String promql, String at) {
    URI uri = URI.create(endpoint + "?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
        + "&time=" + URLEncoder.encode(at, StandardCharsets.UTF_8));
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET();
    headers.forEach(request::header);
    if (bearerToken != null) {
      String token = bearerToken.get();
      if (token == null || token.isBlank()) {
        throw new CanaryException("the bearer token for Prometheus at " + endpoint + " is empty; " + query(promql, at)
            + " was not sent");
      }
      try {
        request.header("Authorization", "Bearer " + token);
      } catch (IllegalArgumentException e) {
        // The JDK's message would quote the token: say only what is wrong with it.
        throw new CanaryException("the bearer token for Prometheus at " + endpoint
            + " is not a valid HTTP header value (it holds a line break or a control character); "
            + query(promql, at) + " was not sent");
      }
    }
    return request.build();
  }

  private CanaryException unreachable(String promql, String at, Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
      return new CanaryException("Prometheus at " + endpoint + " did not answer within " + timeout + "; "
          + query(promql, at), cause);
    }
    if (cause instanceof ConnectException) {
      return new CanaryException("Prometheus at " + endpoint + " could not be reached (" + cause
          + "); " + query(promql, at), cause);
    }
    return new CanaryException("Prometheus at " + endpoint + " failed (" + cause + "); " + query(promql, at), cause);
  }

  private double value(String promql, String at, HttpResponse<String> response) {
    String body = response.body() == null ? "" : response.body();
    JsonNode data = data(promql, at, response);
    String resultType = data.path("resultType").asText("");
    JsonNode result = data.path("result");
    return switch (resultType) {
      case "vector" -> {
        if (!result.isArray() || result.size() > 1) {
          throw answered(promql, at, "a vector of " + result.size() + " series where one at most was expected: "
              + excerpt(body));
        }
        yield result.isEmpty() ? Double.NaN : sample(promql, at, result.get(0).path("value"), body);
      }
      case "scalar" -> sample(promql, at, result, body);
      default -> throw answered(promql, at, "a result of type \"" + resultType
          + "\" where a vector or a scalar was expected: " + excerpt(body));
    };
  }

  /** The {@code data} of a successful answer; anything else throws, saying what came back. */
  private JsonNode data(String promql, String at, HttpResponse<String> response) {
    String body = response.body() == null ? "" : response.body();
    if (response.statusCode() != 200) {
      throw answered(promql, at, "HTTP " + response.statusCode() + " " + errorOf(body));
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw answered(promql, at, "a body that is not JSON: " + excerpt(body));
    }
    if (root == null || !root.isObject()) {
      throw answered(promql, at, "a body that is not a Prometheus answer: " + excerpt(body));
    }
    String status = root.path("status").asText("");
    if (!"success".equals(status)) {
      throw answered(promql, at, "status \"" + status + "\" " + errorOf(body));
    }
    JsonNode warnings = root.path("warnings");
    if (warnings.isArray() && !warnings.isEmpty()) {
      LOG.warn("Prometheus at {} warns about {}: {}", endpoint, query(promql, at), warnings);
    }
    return root.path("data");
  }

  /** A {@code [unixTime, "value"]} pair's value; Prometheus writes non-finite values as NaN, +Inf, -Inf. */
  private double sample(String promql, String at, JsonNode pair, String body) {
    JsonNode value = pair.path(1);
    if (!pair.isArray() || !value.isTextual()) {
      throw answered(promql, at, "a sample that is not a [time, \"value\"] pair: " + excerpt(body));
    }
    switch (value.asText()) {
      case "NaN":
        return Double.NaN;
      case "+Inf":
      case "Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        try {
          return Double.parseDouble(value.asText());
        } catch (NumberFormatException e) {
          throw answered(promql, at, "a sample value that is not a number: " + excerpt(body));
        }
    }
  }

  private CanaryException answered(String promql, String at, String what) {
    return new CanaryException("Prometheus at " + endpoint + " answered " + what + "; " + query(promql, at));
  }

  /** Prometheus's own {@code errorType: error} when the body has them, else the start of the body. */
  private static String errorOf(String body) {
    try {
      JsonNode root = JSON.readTree(body);
      if (root != null && root.hasNonNull("error")) {
        return "(" + root.path("errorType").asText("error") + ": " + root.path("error").asText() + ")";
      }
    } catch (JsonProcessingException e) {
      // Not JSON (a proxy's page, for example): the body itself says what went wrong.
    }
    return body.isBlank() ? "with an empty body" : "with body: " + excerpt(body);
  }

  private static String query(String promql, String at) {
    return "query: " + promql + " at time=" + at;
  }

  private static String excerpt(String body) {
    String flat = body.strip().replaceAll("\\s+", " ");
    return flat.length() <= EXCERPT_LENGTH ? flat : flat.substring(0, EXCERPT_LENGTH) + "…";
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
