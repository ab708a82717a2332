package io.canary.testing;

import io.canary.testing.internal.FaultServer;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * API faults injected on the client side, seeded: a fabric8 http {@link Interceptor} that sends a
 * chosen fraction of a client's requests, instead of to the API server, to a small fault server on
 * loopback, which answers the fault (500, 503, 409, 429 with {@code Retry-After}), never answers (the
 * request times out), or resets the connection. The API server never sees a faulted request.
 *
 * <p>Which requests fail is decided per request by a hash of the seed, the verb, the path and how many
 * requests with that verb and path came before it, so that a run repeats for a seed whatever the
 * order in which the client's threads send (the tenth {@code PUT} of a VirtualService fails in every
 * run with that seed, or in none). A 409 is injected on writes only, and a watch's handshake gets a
 * 500 or a 429 only: fabric8 answers the other faults there by falling back to a plain HTTP watch,
 * which the in-process API server does not serve.
 *
 * <pre>{@code
 * try (FaultInjection faults = FaultInjection.builder().seed(7).rate(0.2).build()) {
 *   KubernetesClient runnersClient = sim.newClient(faults);   // the cluster's own controllers keep a clean client
 *   ... faults.injected() ...
 * }
 * }</pre>
 *
 * <p>A client of its own takes {@link #interceptor()} under {@link #NAME}; set its {@code
 * requestRetryBackoffLimit} to 0, so that fabric8's own retries do not hide the faults.
 */
public final class FaultInjection implements AutoCloseable {
  /** The name to add the interceptor under. */
  public static final String NAME = "canary-fault-injection";

  /** One kind of fault. */
  public enum Fault {
    INTERNAL_ERROR(500, false),
    UNAVAILABLE(503, false),
    CONFLICT(409, true),
    TOO_MANY_REQUESTS(429, false),
    TIMEOUT(0, false),
    CONNECTION_RESET(0, false);

    private final int code;
    private final boolean writesOnly;

    Fault(int code, boolean writesOnly) {
      this.code = code;
      this.writesOnly = writesOnly;
    }

    /** The HTTP status answered, or 0 when there is no answer. */
    public int code() {
      return code;
    }
  }

  private final long seed;
  private final double rate;
  private final List<Fault> faults;
  private final Duration retryAfter;
  private final Duration timeout;
  private final FaultServer server;
  private final Map<String, AtomicLong> seen = new ConcurrentHashMap<>();
  private final Map<Fault, AtomicLong> injected = new EnumMap<>(Fault.class);
  private final AtomicLong requests = new AtomicLong();
  /** Collections whose watch or list was faulted, since when (nanoTime), until their watch is sent again. */
  private final Map<String, Long> watchesDown = new ConcurrentHashMap<>();
  private static final long WATCH_RECOVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
  /**
   * The faults a watch's websocket handshake gets. fabric8 answers a 503, a reset or a timeout there by
   * falling back to a watch over plain HTTP, which the in-process API server does not serve (a real
   * one does): the watch would then never come back, and that would test the mock, not the SDK.
   */
  private static final Set<Fault> WATCH_FAULTS = EnumSet.of(Fault.INTERNAL_ERROR, Fault.TOO_MANY_REQUESTS);

  private FaultInjection(Builder b) {
    this.seed = b.seed;
    this.rate = b.rate;
    this.faults = List.copyOf(b.faults);
    this.retryAfter = b.retryAfter;
    this.timeout = b.timeout;
    for (Fault f : Fault.values()) {
      injected.put(f, new AtomicLong());
    }
    this.server = FaultServer.start(retryAfter, timeout);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The interceptor to add to a client (under {@link #NAME}). */
  public Interceptor interceptor() {
    return new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        java.util.Optional<Fault> decided = decide(request.method(), request.uri());
        trackWatches(request, decided.isPresent());
        decided.ifPresent(fault -> {
          injected.get(fault).incrementAndGet();
          builder.uri(server.uriFor(fault, request.uri()));
          if (fault == Fault.TIMEOUT && builder instanceof HttpRequest.Builder http) {
            http.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
          }
        });
      }
    };
  }

  /**
   * True while a watch or an informer's list that was faulted has not been sent again unfaulted (for a
   * second at most): a simulation holds its clock meanwhile.
   */
  public boolean watchesRecovering() {
    long now = System.nanoTime();
    watchesDown.values().removeIf(since -> now - since > WATCH_RECOVERY_NANOS);
    return !watchesDown.isEmpty();
  }

  private void trackWatches(HttpRequest request, boolean faulted) {
    if (!request.method().equals("GET") || request.uri().getRawQuery() == null) {
      return;
    }
    String query = request.uri().getRawQuery();
    boolean watch = query.contains("watch=true");
    if (faulted && (watch || query.contains("resourceVersion="))) {
      watchesDown.putIfAbsent(request.uri().getRawPath(), System.nanoTime());
    } else if (!faulted && watch) {
      watchesDown.remove(request.uri().getRawPath());
    }
  }

  /** The requests the interceptor has seen so far, faulted or not. */
  public long requests() {
    return requests.get();
  }

  /** The faults injected so far, by kind. */
  public Map<Fault, Long> injected() {
    Map<Fault, Long> counts = new EnumMap<>(Fault.class);
    injected.forEach((f, n) -> counts.put(f, n.get()));
    return counts;
  }

  /** Every fault injected so far. */
  public long injectedTotal() {
    return injected.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** The server's Retry-After on a 429. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** Stops the fault server; a request routed there afterwards fails to connect. */
  @Override
  public void close() {
    server.close();
  }

  private java.util.Optional<Fault> decide(String method, URI uri) {
    requests.incrementAndGet();
    boolean write = !method.equals("GET") && !method.equals("HEAD");
    boolean watch = uri.getRawQuery() != null && uri.getRawQuery().contains("watch=true");
    String call = method + " " + uri.getRawPath() + (watch ? " watch" : "");
    long n = seen.computeIfAbsent(call, c -> new AtomicLong()).incrementAndGet();
    long h = mix(seed ^ mix(hash(call)) ^ mix(n * 0x9E3779B97F4A7C15L));
    double draw = (h >>> 11) * 0x1.0p-53;
    if (draw >= rate) {
      return java.util.Optional.empty();
    }
    List<Fault> possible = new ArrayList<>();
    for (Fault f : faults) {
      if ((write || !f.writesOnly) && (!watch || WATCH_FAULTS.contains(f))) {
        possible.add(f);
      }
    }
    if (possible.isEmpty()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(possible.get((int) Long.remainderUnsigned(mix(h), possible.size())));
  }

  private static long hash(String s) {
    long h = 1125899906842597L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h = 31 * h + b;
    }
    return h;
  }

  /** SplitMix64's finaliser. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Override
  public String toString() {
    return "FaultInjection(seed " + seed + ", rate " + rate + ", faults " + faults + ")";
  }

  /** The settings; each has a default, and a bad value is refused at once, named. */
  public static final class Builder {
    private long seed = 1;
    private double rate = 0.05;
    private Set<Fault> faults = EnumSet.allOf(Fault.class);
    private Duration retryAfter = Duration.ofSeconds(1);
    private Duration timeout = Duration.ofMillis(20);

    private Builder() {}

    /** The seed of which requests fail and how; 1 unless set. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The fraction of requests that fail, 0 to 1; 0.05 unless set. */
    public Builder rate(double rate) {
      if (!(rate >= 0 && rate <= 1)) {
        throw new IllegalArgumentException("FaultInjection.rate must be between 0 and 1, was " + rate);
      }
      this.rate = rate;
      return this;
    }

    /** The kinds of fault, picked evenly among those that fit the request; all of them unless set. */
    public Builder faults(Set<Fault> faults) {
      if (faults == null || faults.isEmpty()) {
        throw new IllegalArgumentException("FaultInjection.faults must name at least one fault");
      }
      this.faults = EnumSet.copyOf(faults);
      return this;
    }

    /** The Retry-After of a 429 (header and Status details); 1 s unless set. */
    public Builder retryAfter(Duration retryAfter) {
      if (retryAfter == null || retryAfter.isNegative() || retryAfter.toMillis() % 1000 != 0) {
        throw new IllegalArgumentException("FaultInjection.retryAfter must be whole seconds, was " + retryAfter);
      }
      this.retryAfter = retryAfter;
      return this;
    }

    /** How long a request that gets no answer waits before it times out (real time); 20 ms unless set. */
    public Builder timeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("FaultInjection.timeout must be positive, was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    public FaultInjection build() {
      Objects.requireNonNull(faults);
      return new FaultInjection(this);
    }
  }
}
