package io.canary.micrometer;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The meters of the Kubernetes API requests a client sends, by verb and resource: a fabric8 http
 * {@link Interceptor} the host adds to the client it gives the SDK's adapters:
 *
 * <pre>{@code
 * KubernetesClient client = new KubernetesClientBuilder()
 *     .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor(KubernetesApiMetrics.NAME,
 *         KubernetesApiMetrics.of(registry)))
 *     .build();
 * }</pre>
 *
 * <table>
 *   <tr><td>{@code canary.kubernetes.requests} (counter: {@code verb}, {@code resource}, {@code status})</td>
 *       <td>every answer; verb is get, list, watch, create, update, patch or delete; resource the path's
 *       resource ({@code deployments}, {@code virtualservices}, {@code deployments/status}); status the
 *       HTTP code, or {@code error} when no answer came</td></tr>
 *   <tr><td>{@code canary.kubernetes.conflicts} (counter: {@code verb}, {@code resource})</td>
 *       <td>409 answers: a write on a stale resourceVersion, which the adapters read again and re-apply</td></tr>
 *   <tr><td>{@code canary.kubernetes.retries} (counter: {@code verb}, {@code resource})</td>
 *       <td>requests the client sent again (its own back-off retries of failed requests)</td></tr>
 * </table>
 */
public final class KubernetesApiMetrics implements Interceptor {
  /** The name to add the interceptor under. */
  public static final String NAME = "canary-api-metrics";
  private static final Set<String> NAMESPACED = Set.of("namespaces");
  private static final int REMEMBERED_REQUESTS = 4096;

  private final MeterRegistry registry;
  private final Set<UUID> seen = Collections.newSetFromMap(Collections.synchronizedMap(
      new LinkedHashMap<>(256, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Boolean> eldest) {
          return size() > REMEMBERED_REQUESTS;
        }
      }));

  private KubernetesApiMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public static KubernetesApiMetrics of(MeterRegistry registry) {
    return new KubernetesApiMetrics(registry);
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    if (!seen.add(request.id())) {
      counter("canary.kubernetes.retries", request).increment();
    }
  }

  @Override
  public void after(HttpRequest request, HttpResponse<?> response, io.fabric8.kubernetes.client.http.AsyncBody.Consumer<java.util.List<java.nio.ByteBuffer>> consumer) {
    String[] call = call(request);
    Counter.builder("canary.kubernetes.requests").tag("verb", call[0]).tag("resource", call[1])
        .tag("status", Integer.toString(response.code())).register(registry).increment();
    if (response.code() == 409) {
      counter("canary.kubernetes.conflicts", request).increment();
    }
  }

  @Override
  public void afterConnectionFailure(HttpRequest request, Throwable failure) {
    String[] call = call(request);
    Counter.builder("canary.kubernetes.requests").tag("verb", call[0]).tag("resource", call[1]).tag("status", "error")
        .register(registry).increment();
  }

  private Counter counter(String name, HttpRequest request) {
    String[] call = call(request);
    return Counter.builder(name).tag("verb", call[0]).tag("resource", call[1]).register(registry);
  }

  /** The verb and resource of a request: {@code /apis/apps/v1/namespaces/ns/deployments/web/status} is patch deployments/status. */
  static String[] call(HttpRequest request) {
    String path = request.uri().getRawPath();
    String query = request.uri().getRawQuery();
    String[] parts = path.replaceFirst("^/", "").split("/");
    // /api/v1/... or /apis/GROUP/VERSION/...
    int start = parts.length > 0 && parts[0].equals("apis") ? 3 : 2;
    java.util.List<String> rest = java.util.Arrays.asList(parts).subList(Math.min(start, parts.length), parts.length);
    if (rest.size() >= 2 && NAMESPACED.contains(rest.get(0)) && rest.size() > 2) {
      rest = rest.subList(2, rest.size());
    }
    String resource = rest.isEmpty() ? "unknown" : rest.get(0);
    boolean named = rest.size() >= 2;
    if (rest.size() >= 3) {
      resource = resource + "/" + rest.get(2);
    }
    String verb = switch (request.method()) {
      case "GET" -> query != null && query.contains("watch=true") ? "watch" : named ? "get" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> "delete";
      default -> request.method().toLowerCase(java.util.Locale.ROOT);
    };
    return new String[] {verb, resource};
  }
}
