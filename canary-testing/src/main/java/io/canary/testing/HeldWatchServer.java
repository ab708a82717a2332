package io.canary.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.canary.testing.internal.WrappedWatchSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.function.Consumer;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * fabric8's CRUD in-process API server whose watch events can be held back: while held, no informer
 * hears of any change, so its cache shows the cluster as it was, for as long as the test needs (a
 * cache that has not caught up yet, without waiting on timing). Every request is recorded with its body.
 * Its client fails a request the server never answers in seconds, and retries nothing.
 *
 * <pre>{@code
 * try (HeldWatchServer server = new HeldWatchServer()) {
 *   KubernetesWorkloads workloads = KubernetesWorkloads.create(server.client());
 *   server.hold();          // informers hear of nothing from now on
 *   ...                     // act on what the adapter's own writes answered
 *   server.release();       // the held events, in order
 * }
 * }</pre>
 */
public final class HeldWatchServer implements AutoCloseable {
  /** A request the server answered; {@code body} empty for reads. */
  public record Request(String method, String path, String body) {
    public boolean isWrite() {
      return !method.equals("GET");
    }

    public boolean isWatch() {
      return path.contains("watch=true");
    }

    @Override
    public String toString() {
      return method + " " + path + (body.isEmpty() ? "" : " " + body);
    }
  }

  private final Object lock = new Object();
  private final List<Request> requests = new ArrayList<>();
  private final List<Runnable> heldEvents = new ArrayList<>();
  private boolean held;
  private final KubernetesMockServer server;
  private final KubernetesClient client;

  public HeldWatchServer() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new Dispatcher(), false);
    server.init();
    client = server.createClient((Consumer<KubernetesClientBuilder>) builder ->
        builder.editOrNewConfig().withRequestRetryBackoffLimit(0).withRequestTimeout(5_000).endConfig());
  }

  /** A client of this server. */
  public KubernetesClient client() {
    return client;
  }

  /** From now on, watch events wait until {@link #release()}. */
  public void hold() {
    synchronized (lock) {
      held = true;
    }
  }

  /** Sends the held events, in order, and lets the next ones through. */
  public void release() {
    synchronized (lock) {
      heldEvents.forEach(Runnable::run);
      heldEvents.clear();
      held = false;
    }
  }

  /** Every request so far, in order. */
  public List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** The requests from {@code from} on (an earlier {@code requests().size()}), watches left out. */
  public List<Request> requestsSince(int from) {
    List<Request> all = requests();
    return all.subList(from, all.size()).stream().filter(r -> !r.isWatch()).toList();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }

  private final class Dispatcher extends KubernetesCrudDispatcher {
    @Override
    public MockResponse handleWatch(String path) {
      MockResponse response = super.handleWatch(path);
      if (response.getWebSocketListener() != null) {
        response.withWebSocketUpgrade(new HeldSocket(response.getWebSocketListener()));
      }
      return response;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String body = request.getBody() == null ? "" : new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
      MockResponse response = super.dispatch(request);
      synchronized (requests) {
        requests.add(new Request(request.getMethod(), request.getPath(), request.getMethod().equals("GET") ? "" : body));
      }
      return response;
    }
  }

  /** The server side of one watch, its events held while the server holds them. */
  private final class HeldSocket extends WrappedWatchSocket {
    HeldSocket(WebSocketListener delegate) {
      super(delegate);
    }

    @Override
    protected WebSocket wrapOnce(WebSocket ws) {
      return new WebSocket() {
        @Override
        public RecordedRequest request() {
          return ws.request();
        }

        @Override
        public boolean send(String text) {
          synchronized (lock) {
            if (held) {
              heldEvents.add(() -> ws.send(text));
              return true;
            }
            return ws.send(text);
          }
        }

        @Override
        public boolean send(byte[] bytes) {
          synchronized (lock) {
            if (held) {
              heldEvents.add(() -> ws.send(bytes));
              return true;
            }
            return ws.send(bytes);
          }
        }

        @Override
        public boolean close(int code, String reason) {
          return ws.close(code, reason);
        }
      };
    }
  }
}
