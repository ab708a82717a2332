package io.canary.core.analysis;

import io.canary.core.Revision;
import io.canary.core.internal.Json;
import io.canary.core.spi.AnalysisContext;
import io.canary.core.spi.AnalysisGate;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.Check;
import io.canary.core.spi.Verdict;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.immutables.value.Value;

/**
 * An HTTP webhook gate, like Flagger's webhooks: POSTs a JSON payload naming the rollout, the point, the
 * phase, the step, the weights and the revisions, plus the user's {@link #metadata()}:
 *
 * <pre>{@code
 * {"name":"checkout","namespace":"shop","point":"confirm-promotion","phase":"Progressing","step":3,
 *  "canaryWeight":40,"nextWeight":40,"stable":{"workload":"checkout","hash":"a1"},
 *  "canary":{"workload":"checkout-canary","hash":"b2"},"metadata":{...},"time":"2026-11-23T04:00:00Z"}
 * }</pre>
 *
 * <p>The rule: a 2xx answer passes. Any other answer of the hook itself (4xx other than 408 and 429)
 * fails at once, not retried: the hook said no. A hook that cannot answer (a timeout after
 * {@link #timeout()}, a refused connection, 5xx, 408, 429) is tried again at once, up to
 * {@link #maxAttempts()} attempts in all, then gives {@link #onUnavailable()}: inconclusive by default
 * (the runner pauses for a person past the analysis's inconclusive limit), or fail. There is no wait
 * between attempts (that would hold an analysis thread asleep); the analysis interval is the back-off
 * between evaluations. The worst case a call can take is therefore {@code maxAttempts x timeout}.
 *
 * <p>Use it as an analysis gate (step or background analysis: the {@code rollout} point) or as a
 * {@link LifecycleGate}.
 */
@Value.Immutable
public abstract class WebhookGate implements LifecycleGate, AnalysisGate {
  public abstract String name();

  public abstract URI url();

  /** How long one attempt may take, from connecting to the whole answer read. Default 10 seconds. */
  @Value.Default
  public Duration timeout() {
    return Duration.ofSeconds(10);
  }

  /** Attempts in all when the hook cannot answer (1: no retry). Default 3. */
  @Value.Default
  public int maxAttempts() {
    return 3;
  }

  /** The verdict when the hook could not answer in {@link #maxAttempts()} attempts. Default inconclusive. */
  @Value.Default
  public Verdict onUnavailable() {
    return Verdict.INCONCLUSIVE;
  }

  /** Sent as the payload's {@code metadata}, as Flagger's webhook metadata. */
  public abstract Map<String, String> metadata();

  /** The client to send with (its TLS and proxy settings apply). By default one of its own, HTTP/1.1. */
  @Value.Default
  @Value.Auxiliary
  public HttpClient httpClient() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout()).build();
  }

  public static ImmutableWebhookGate.Builder builder() {
    return ImmutableWebhookGate.builder();
  }

  public static WebhookGate of(String name, URI url) {
    return builder().name(name).url(url).build();
  }

  @Value.Check
  protected void check() {
    if (name().isBlank()) {
      throw new IllegalArgumentException("WebhookGate.name must not be empty");
    }
    String scheme = url().getScheme();
    if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || url().getHost() == null) {
      throw new IllegalArgumentException("WebhookGate " + name() + ": url must be an http or https URL with a host, was "
          + url().getScheme() + "://" + url().getHost() + (url().getRawPath() == null ? "" : url().getRawPath()));
    }
    if (url().getRawUserInfo() != null) {
      throw new IllegalArgumentException("WebhookGate " + name() + ": url must not hold credentials (user info)");
    }
    if (timeout().toMillis() < 1) {
      throw new IllegalArgumentException("WebhookGate " + name() + ": timeout must be at least 1ms, was " + timeout());
    }
    if (maxAttempts() < 1 || maxAttempts() > 10) {
      throw new IllegalArgumentException("WebhookGate " + name() + ": maxAttempts must be within 1..10, was " + maxAttempts());
    }
    if (onUnavailable() == Verdict.PASS) {
      throw new IllegalArgumentException("WebhookGate " + name() + ": onUnavailable must be INCONCLUSIVE or FAIL: a hook "
          + "that did not answer has not passed anything");
    }
  }

  @Override
  public AnalysisResult evaluate(AnalysisContext context) {
    return check(LifecycleContext.of(context));
  }

  @Override
  public AnalysisResult check(LifecycleContext ctx) {
    String payload = payload(ctx);
    HttpRequest request = HttpRequest.newBuilder(url()).timeout(timeout())
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(payload)).build();
    String target = "POST " + url() + " (" + ctx.point().flaggerName() + ")";
    String rule = "2xx passes; 4xx fails; no answer, 5xx, 408, 429: " + maxAttempts() + " attempts, then " + onUnavailable();
    String last = "";
    for (int attempt = 1; attempt <= maxAttempts(); attempt++) {
      try {
        HttpResponse<String> response = httpClient().send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
          return verdict(target, status, rule, Verdict.PASS, "HTTP " + status + attemptNote(attempt));
        }
        String answer = "HTTP " + status + excerpt(response.body());
        if (status != 408 && status != 429 && status < 500) {
          return verdict(target, status, rule, Verdict.FAIL, answer + attemptNote(attempt));
        }
        last = answer;
      } catch (IOException e) {
        last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return verdict(target, Double.NaN, rule, Verdict.INCONCLUSIVE, "interrupted while calling the hook");
      }
    }
    return verdict(target, Double.NaN, rule, onUnavailable(), "no answer in " + maxAttempts() + " attempts, last: " + last);
  }

  private AnalysisResult verdict(String target, double status, String rule, Verdict decision, String reason) {
    return AnalysisResult.of(List.of(new Check("webhook " + name(), target, status, Double.NaN, rule, decision, reason)));
  }

  private static String attemptNote(int attempt) {
    return attempt == 1 ? "" : " at attempt " + attempt;
  }

  private static String excerpt(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    String flat = body.strip().replaceAll("\\s+", " ");
    return " " + (flat.length() <= 200 ? flat : flat.substring(0, 200) + "…");
  }

  String payload(LifecycleContext ctx) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("name", ctx.rollout().name());
    p.put("namespace", ctx.rollout().namespace());
    p.put("point", ctx.point().flaggerName());
    p.put("phase", ctx.phase().displayName());
    p.put("step", ctx.stepIndex());
    p.put("canaryWeight", ctx.canaryWeight());
    p.put("nextWeight", ctx.nextWeight());
    ctx.revisions().ifPresent(r -> {
      p.put("stable", revision(r.stable()));
      p.put("canary", revision(r.canary()));
    });
    p.put("metadata", metadata());
    p.put("time", ctx.time().toString());
    return Json.compact(p);
  }

  private static Map<String, Object> revision(Revision r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("workload", r.workload());
    m.put("hash", r.hash());
    return m;
  }
}
