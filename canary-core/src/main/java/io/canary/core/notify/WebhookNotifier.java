package io.canary.core.notify;

import io.canary.core.event.PhaseChanged;
import io.canary.core.event.RolloutAborted;
import io.canary.core.event.RolloutEvent;
import io.canary.core.event.RolloutFailed;
import io.canary.core.event.RolloutPromoted;
import io.canary.core.event.RolloutStarted;
import io.canary.core.event.WeightChanged;
import io.canary.core.internal.Json;
import io.canary.core.spi.RolloutListener;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts rollout events as JSON to a webhook: a Slack-compatible {@code text} (Slack, Mattermost, Teams
 * workflows and most chat hooks show it) beside structured fields for other receivers:
 *
 * <pre>{@code
 * {"text":"[shop/checkout] WeightChanged: Canary weight 20 -> 40 (stable 60)","namespace":"shop",
 *  "name":"checkout","reason":"WeightChanged","message":"...","warning":false,"phase":"Progressing",
 *  "step":3,"stepCount":8,"canaryWeight":40,"time":"2026-11-23T04:00:00Z"}
 * }</pre>
 *
 * <p>Off the scheduler: {@link #onEvent} only builds the payload and hands it to the notifier's own
 * thread, so a slow or absent hook never holds a rollout up. A delivery that fails (no answer, 5xx,
 * 408, 429) is tried again after {@link Builder#backoff(Duration)}, doubling, up to
 * {@link Builder#maxAttempts(int)} attempts in all, then dropped with a warning; other 4xx are not
 * tried again. Whoever builds the notifier closes it, after the runner: pending deliveries get
 * {@link Builder#closeTimeout(Duration)} to finish.
 *
 * <pre>{@code
 * try (WebhookNotifier slack = WebhookNotifier.builder(URI.create(hookUrl)).build();
 *     CanaryRunner runner = CanaryRunner.builder()...addListener(slack).build()) { ... }
 * }</pre>
 */
public final class WebhookNotifier implements RolloutListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookNotifier.class);

  /** The events people are told of by default: starts, phase changes, weights, and the endings. */
  public static final Predicate<RolloutEvent> DEFAULT_EVENTS = e -> e instanceof RolloutStarted || e instanceof PhaseChanged
      || e instanceof WeightChanged || e instanceof RolloutPromoted || e instanceof RolloutAborted || e instanceof RolloutFailed;

  private final URI url;
  private final Predicate<RolloutEvent> events;
  private final int maxAttempts;
  private final Duration backoff;
  private final Duration timeout;
  private final Duration closeTimeout;
  private final HttpClient http;
  private final ScheduledExecutorService sender;
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final Object idle = new Object();
  private int pending;
  private volatile boolean closed;

  private WebhookNotifier(Builder b) {
    this.url = b.url;
    this.events = b.events;
    this.maxAttempts = b.maxAttempts;
    this.backoff = b.backoff;
    this.timeout = b.timeout;
    this.closeTimeout = b.closeTimeout;
    this.http = b.http != null ? b.http
        : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(b.timeout).build();
    this.sender = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "canary-webhook-notifier");
      t.setDaemon(true);
      return t;
    });
  }

  public static Builder builder(URI url) {
    return new Builder(url);
  }

  @Override
  public void onEvent(RolloutEvent event) {
    if (!events.test(event)) {
      return;
    }
    if (closed) {
      dropped.incrementAndGet();
      return;
    }
    String payload = payload(event);
    synchronized (idle) {
      pending++;
    }
    try {
      sender.execute(() -> send(payload, 1));
    } catch (RejectedExecutionException e) {
      giveUp("the notifier is closed");
    }
  }

  /** Deliveries the hook accepted (2xx). */
  public long delivered() {
    return delivered.get();
  }

  /** Deliveries given up: out of attempts, refused by the hook, or after close. */
  public long dropped() {
    return dropped.get();
  }

  static String payload(RolloutEvent e) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("text", "[" + e.key() + "] " + (e.warning() ? "⚠ " : "") + e.reason() + ": " + e.message());
    p.put("namespace", e.key().namespace());
    p.put("name", e.key().name());
    p.put("reason", e.reason());
    p.put("message", e.message());
    p.put("warning", e.warning());
    p.put("phase", e.status().phase().displayName());
    p.put("step", Math.min(e.status().stepIndex() + 1, e.status().stepCount()));
    p.put("stepCount", e.status().stepCount());
    p.put("canaryWeight", e.status().currentWeight());
    p.put("time", e.time().toString());
    return Json.compact(p);
  }

  private void send(String payload, int attempt) {
    HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8)).build();
    String failure;
    try {
      int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status >= 200 && status < 300) {
        delivered.incrementAndGet();
        done();
        return;
      }
      failure = "HTTP " + status;
      if (status != 408 && status != 429 && status < 500) {
        giveUp(failure + " (not tried again)");
        return;
      }
    } catch (IOException e) {
      failure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      giveUp("interrupted");
      return;
    }
    if (attempt >= maxAttempts) {
      giveUp(failure + " at attempt " + attempt + " of " + maxAttempts);
      return;
    }
    long delay = backoff.toMillis() << Math.min(attempt - 1, 16);
    try {
      sender.schedule(() -> send(payload, attempt + 1), delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      giveUp("closed before attempt " + (attempt + 1));
    }
  }

  private void giveUp(String why) {
    dropped.incrementAndGet();
    LOG.warn("webhook notification to {} dropped: {}", url.getHost(), why);
    done();
  }

  private void done() {
    synchronized (idle) {
      pending--;
      idle.notifyAll();
    }
  }

  /** Lets pending deliveries finish (at most the close timeout), then stops the notifier's thread. */
  @Override
  public void close() {
    closed = true;
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    synchronized (idle) {
      try {
        while (pending > 0 && System.nanoTime() < deadline) {
          idle.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    sender.shutdownNow();
  }

  /** Builds a {@link WebhookNotifier}; only the URL is required. */
  public static final class Builder {
    private final URI url;
    private Predicate<RolloutEvent> events = DEFAULT_EVENTS;
    private int maxAttempts = 3;
    private Duration backoff = Duration.ofSeconds(1);
    private Duration timeout = Duration.ofSeconds(10);
    private Duration closeTimeout = Duration.ofSeconds(5);
    private HttpClient http;

    private Builder(URI url) {
      Objects.requireNonNull(url, "url");
      if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
        throw new IllegalArgumentException("WebhookNotifier.url must be an http or https URL with a host, was " + url);
      }
      this.url = url;
    }

    /** Which events are posted; default {@link #DEFAULT_EVENTS}. */
    public Builder events(Predicate<RolloutEvent> events) {
      this.events = Objects.requireNonNull(events, "events");
      return this;
    }

    /** Attempts in all for one event (1: no retry); within 1..10, default 3. */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1 || attempts > 10) {
        throw new IllegalArgumentException("WebhookNotifier.maxAttempts must be within 1..10, was " + attempts);
      }
      this.maxAttempts = attempts;
      return this;
    }

    /** The wait before the second attempt, doubled before each later one; default 1s. */
    public Builder backoff(Duration backoff) {
      if (backoff.isNegative()) {
        throw new IllegalArgumentException("WebhookNotifier.backoff must not be negative, was " + backoff);
      }
      this.backoff = backoff;
      return this;
    }

    /** How long one attempt may take; default 10s. */
    public Builder timeout(Duration timeout) {
      if (timeout.toMillis() < 1) {
        throw new IllegalArgumentException("WebhookNotifier.timeout must be at least 1ms, was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /** How long {@link WebhookNotifier#close()} lets pending deliveries finish; default 5s. */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
      return this;
    }

    /** The client to post with (its TLS and proxy settings apply); default one of its own, HTTP/1.1. */
    public Builder httpClient(HttpClient client) {
      this.http = Objects.requireNonNull(client, "client");
      return this;
    }

    public WebhookNotifier build() {
      return new WebhookNotifier(this);
    }
  }
}
