package io.canary.hpa;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The scenarios' Deployments and autoscalers in the in-process API server, and the requests it saw. */
final class MockCluster {
  /** A request the API server received; {@code body} is empty for reads. */
  record ApiRequest(String method, String path, String body) {
    boolean writes() {
      return !method.equals("GET");
    }

    /** True for a write that sets the replica count of Deployment {@code name}. */
    boolean writesReplicasOf(String name) {
      return writes() && (path.contains("/deployments/" + name + "?") || path.endsWith("/deployments/" + name)
          || path.contains("/deployments/" + name + "/scale")) && body.contains("replicas");
    }

    boolean is(String method, String kindPath, String name) {
      return this.method.equals(method) && (path.endsWith("/" + kindPath + "/" + name)
          || path.contains("/" + kindPath + "/" + name + "?"));
    }

    @Override
    public String toString() {
      return method + " " + path + (body.isEmpty() ? "" : " " + body);
    }
  }

  /**
   * The tests' client: the JDK HTTP client, no retries and a short timeout (a request the mock never
   * answers fails the test quickly), and the bodies it sends kept, because the mock server consumes
   * the bodies of the requests it records.
   */
  public static final class TestClient implements Consumer<KubernetesClientBuilder> {
    @Override
    public void accept(KubernetesClientBuilder builder) {
      builder.withHttpClientFactory(new JdkHttpClientFactory())
          .withHttpClientBuilderConsumer(http -> http.addOrReplaceInterceptor("sent-bodies", new Interceptor() {
            @Override
            public void before(BasicBuilder request, HttpRequest sent, RequestTags tags) {
              if (!sent.method().equals("GET")) {
                SENT_BODIES.computeIfAbsent(key(sent.method(), sent.uri().getRawPath()),
                    k -> new ConcurrentLinkedQueue<>()).add(Objects.toString(sent.bodyString(), ""));
              }
            }
          }))
          .editOrNewConfig().withRequestRetryBackoffLimit(0).withRequestTimeout(5_000).endConfig();
    }
  }

  private static final Map<String, Queue<String>> SENT_BODIES = new ConcurrentHashMap<>();

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private int taken;

  MockCluster(KubernetesMockServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
    SENT_BODIES.clear(); // each test has its own server; bodies another test sent are not its own
  }

  private static String key(String method, String path) {
    return method + " " + path;
  }

  /** Creates the Deployments and autoscalers of {@code scenarios/<name>/cluster.yaml}. */
  MockCluster load(String scenario) {
    try (InputStream in = Files.newInputStream(Path.of("..", "scenarios", scenario, "cluster.yaml"))) {
      for (HasMetadata object : client.load(in).items()) {
        if (object instanceof Deployment || object instanceof HorizontalPodAutoscaler) {
          client.resource(object).create();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    requests(); // what the tests look at starts here
    return this;
  }

  /** The requests received since the last call. */
  List<ApiRequest> requests() {
    List<ApiRequest> requests = new ArrayList<>();
    try {
      while (taken < server.getRequestCount()) {
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        if (request == null) {
          break;
        }
        taken++;
        String path = request.getPath();
        Queue<String> sent = SENT_BODIES.get(key(request.getMethod(), path.split("\\?", 2)[0]));
        String body = request.getMethod().equals("GET") || sent == null ? "" : Objects.toString(sent.poll(), "");
        requests.add(new ApiRequest(request.getMethod(), path, body));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return requests;
  }
}
