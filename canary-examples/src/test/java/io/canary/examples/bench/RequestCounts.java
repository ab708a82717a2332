package io.canary.examples.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.impl.BaseClient;
import io.fabric8.kubernetes.client.impl.KubernetesClientImpl;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The API requests one client sends, by phase, verb and resource, counted on the client's side: a fabric8
 * HTTP {@link Interceptor} sees every request (and every watch's handshake) before it leaves, whatever
 * the API server is. Add it to the client to count with {@link #addTo}.
 *
 * <p>A request is classified as {@code VERB resource}: the verb is the HTTP method, except that a GET of
 * a collection is {@code LIST}, a GET with {@code watch=true} (or of an old {@code /watch/} path) is
 * {@code WATCH} and a DELETE of a collection is {@code DELETECOLLECTION}; the resource is the path segment
 * after the namespace ({@code /api/v1/namespaces/ns/configmaps/x}: {@code configmaps}), or after the
 * group and version for a cluster-scoped one ({@code /apis/apiextensions.k8s.io/v1/customresourcedefinitions}),
 * with its subresource ({@code deployments/status}). A path of no API ({@code /version}) is its own resource.
 */
public final class RequestCounts {
  /** The name the interceptor is added under. */
  static final String INTERCEPTOR = "canary-bench-request-counts";

  private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

  private final Map<String, Map<String, LongAdder>> byPhase = new ConcurrentHashMap<>();
  private final Set<String> phases = Collections.synchronizedSet(new LinkedHashSet<>());
  private volatile String phase;

  public RequestCounts(String firstPhase) {
    phase(firstPhase);
  }

  /** Counts the requests from now on under {@code name}. */
  public void phase(String name) {
    phases.add(name);
    byPhase.computeIfAbsent(name, k -> new ConcurrentHashMap<>());
    phase = name;
  }

  /** The interceptor that counts each request under the current phase. */
  public Interceptor interceptor() {
    return new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        record(request.method(), request.uri());
      }
    };
  }

  /** Adds the counting interceptor to a client's HTTP client builder (fabric8's builder consumer). */
  public void addTo(HttpClient.Builder builder) {
    builder.addOrReplaceInterceptor(INTERCEPTOR, interceptor());
  }

  /**
   * A client derived from {@code host} whose requests this counts: the host's configuration, executor and
   * serialization, and an HTTP client derived from the host's (the same connection pool and interceptors)
   * with the counting interceptor added. For a client built elsewhere (a simulated cluster's), whose
   * builder cannot be reached; closing it closes nothing of the host's.
   */
  public KubernetesClient countedClient(KubernetesClient host) {
    return new CountedClient((BaseClient) host, interceptor());
  }

  /** Counts one request under the current phase. */
  public void record(String method, URI uri) {
    byPhase.get(phase).computeIfAbsent(classify(method, uri), k -> new LongAdder()).increment();
  }

  /** {@code GET leases}, {@code LIST replicasets}, {@code WATCH deployments}, {@code PUT deployments/status}. */
  public static String classify(String method, URI uri) {
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
    boolean watchParameter = false;
    for (String parameter : query.split("&")) {
      if (parameter.equals("watch=true") || parameter.equals("watch=1")) {
        watchParameter = true;
      }
    }
    List<String> segments = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        segments.add(s);
      }
    }
    int apiEnd;   // segments before the resource part: api/v1, or apis/group/version
    if (segments.size() >= 2 && segments.get(0).equals("api")) {
      apiEnd = 2;
    } else if (segments.size() >= 3 && segments.get(0).equals("apis")) {
      apiEnd = 3;
    } else {
      return method.toUpperCase(Locale.ROOT) + " " + (path.isEmpty() ? "/" : path);
    }
    List<String> rest = new ArrayList<>(segments.subList(apiEnd, segments.size()));
    boolean watchPath = !rest.isEmpty() && rest.get(0).equals("watch");
    if (watchPath) {
      rest.remove(0);
    }
    if (rest.isEmpty()) {
      // The API's discovery document (GET /apis/apps/v1).
      return method.toUpperCase(Locale.ROOT) + " " + String.join("/", segments.subList(0, apiEnd));
    }
    // namespaces/<ns>/<resource>..., but namespaces/<ns>/status and /finalize are a namespace's subresources.
    if (rest.get(0).equals("namespaces") && rest.size() >= 3
        && !(rest.size() == 3 && NAMESPACE_SUBRESOURCES.contains(rest.get(2)))) {
      rest = rest.subList(2, rest.size());
    }
    String resource = rest.get(0) + (rest.size() >= 3 ? "/" + rest.get(2) : "");
    boolean collection = rest.size() == 1;
    String verb = method.toUpperCase(Locale.ROOT);
    if (verb.equals("GET") && (watchParameter || watchPath)) {
      verb = "WATCH";
    } else if (verb.equals("GET") && collection) {
      verb = "LIST";
    } else if (verb.equals("DELETE") && collection) {
      verb = "DELETECOLLECTION";
    }
    return verb + " " + resource;
  }

  /** Requests counted in {@code phase} classified as {@code kind} ({@code PUT virtualservices}). */
  public long count(String phase, String kind) {
    return counts(phase).getOrDefault(kind, 0L);
  }

  /** Every request counted in {@code phase}. */
  public long all(String phase) {
    return counts(phase).values().stream().mapToLong(Long::longValue).sum();
  }

  /** Requests counted in every phase classified as {@code kind}. */
  public long total(String kind) {
    return phases().stream().mapToLong(p -> count(p, kind)).sum();
  }

  /** Every request counted. */
  public long wholeRun() {
    return phases().stream().mapToLong(this::all).sum();
  }

  /** Requests counted in {@code phase} on {@code resource}, any verb ({@code leases}: its GETs, PUTs...). */
  public long onResource(String phase, String resource) {
    Map<String, LongAdder> counts = byPhase.getOrDefault(phase, Map.of());
    return counts.entrySet().stream().filter(e -> e.getKey().endsWith(" " + resource))
        .mapToLong(e -> e.getValue().sum()).sum();
  }

  /** The kinds counted in {@code phase} with their counts, sorted by kind. */
  public Map<String, Long> counts(String phase) {
    Map<String, Long> out = new TreeMap<>();
    byPhase.getOrDefault(phase, Map.of()).forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  public List<String> phases() {
    synchronized (phases) {
      return List.copyOf(phases);
    }
  }

  /**
   * A table by verb and resource: a column per phase (when there is more than one), the whole run, and
   * per rollout (when there is more than one) the phase {@code perRolloutPhase} (null: none) and the whole run.
   */
  public String table(String title, int rollouts, String perRolloutPhase) {
    List<String> columns = phases().size() > 1 ? phases() : List.of();
    boolean perRollout = rollouts > 1;
    boolean phaseRate = perRollout && perRolloutPhase != null;
    Set<String> kinds = new TreeSet<>();
    byPhase.values().forEach(m -> kinds.addAll(m.keySet()));
    StringBuilder out = new StringBuilder();
    out.append("| ").append(title);
    columns.forEach(p -> out.append(" | ").append(p));
    out.append(" | whole run");
    if (phaseRate) {
      out.append(" | ").append(perRolloutPhase).append(", per rollout");
    }
    if (perRollout) {
      out.append(" | whole run, per rollout");
    }
    out.append(" |\n|---");
    out.append("|---:".repeat(columns.size() + 1 + (phaseRate ? 1 : 0) + (perRollout ? 1 : 0))).append("|\n");
    List<String> rows = new ArrayList<>(kinds);
    rows.add(null);   // the total
    for (String kind : rows) {
      out.append("| ").append(kind == null ? "**all requests**" : kind);
      columns.forEach(p -> out.append(" | ").append(kind == null ? all(p) : count(p, kind)));
      long whole = kind == null ? wholeRun() : total(kind);
      out.append(" | ").append(whole);
      if (phaseRate) {
        long inPhase = kind == null ? all(perRolloutPhase) : count(perRolloutPhase, kind);
        out.append(" | ").append(perRollout(inPhase, rollouts));
      }
      if (perRollout) {
        out.append(" | ").append(perRollout(whole, rollouts));
      }
      out.append(" |\n");
    }
    return out.toString();
  }

  private static final class CountedClient extends KubernetesClientImpl {
    CountedClient(BaseClient host, Interceptor interceptor) {
      super(host);
      this.httpClient = host.getHttpClient().newBuilder().addOrReplaceInterceptor(INTERCEPTOR, interceptor).build();
      pointContextHere();
    }

    private CountedClient(CountedClient source) {
      super(source);
      pointContextHere();
    }

    /** A context copied from the host names the host's client, whose HTTP client does not count. */
    private void pointContextHere() {
      if (getOperationContext() != null) {
        operationContext(getOperationContext().withClient(this));
      }
    }

    @Override
    protected KubernetesClientImpl copy() {
      return new CountedClient(this);
    }

    @Override
    public void close() {
      // The host's client, executor and watches are the host's to close.
    }
  }

  private static String perRollout(long count, int rollouts) {
    return String.format(Locale.ROOT, "%.2f", (double) count / rollouts);
  }
}
