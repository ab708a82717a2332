package io.canary.testing.internal;

import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;

/**
 * The client side of a watch: fabric8's JDK HTTP client, with every watch message counted once the
 * client has handled it (informer callbacks are then queued on the {@link Quiescence} executor).
 * The client's builders and the client itself are wrapped with dynamic proxies: only
 * {@code newWebSocketBuilder().buildAsync(listener)} changes, to wrap the listener.
 */
final class CountingHttpClients {
  /** Names each watch of a counted client, so that the server side counts the same watch's events. */
  static final String WATCH_ID_HEADER = "X-Canary-Simulation-Watch";
  private static final java.util.concurrent.atomic.AtomicLong WATCH_IDS = new java.util.concurrent.atomic.AtomicLong();

  private CountingHttpClients() {}

  static HttpClient.Factory factory(Quiescence quiescence) {
    JdkHttpClientFactory jdk = new JdkHttpClientFactory();
    return new HttpClient.Factory() {
      @Override
      public HttpClient.Builder newBuilder() {
        return proxy(HttpClient.Builder.class, jdk.newBuilder(), quiescence);
      }

      @Override
      public int priority() {
        return jdk.priority();
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, Object target, Quiescence quiescence) {
    InvocationHandler handler = new InvocationHandler() {
      @Override
      public Object invoke(Object self, Method method, Object[] args) throws Throwable {
        if (method.getName().equals("buildAsync") && args != null && args.length == 1
            && args[0] instanceof WebSocket.Listener listener && target instanceof WebSocket.Builder builder) {
          String watch = Long.toString(WATCH_IDS.incrementAndGet());
          builder.header(WATCH_ID_HEADER, watch);
          args = new Object[] {new CountingListener(listener, quiescence, watch)};
        }
        Object result;
        try {
          result = method.invoke(target, args);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
        if (result == target) {
          return self; // fluent builders stay wrapped
        }
        if (result instanceof HttpClient client && !(result instanceof Proxy)) {
          return proxy(HttpClient.class, client, quiescence);
        }
        if (result instanceof HttpClient.Builder b && !(result instanceof Proxy)) {
          return proxy(HttpClient.Builder.class, b, quiescence);
        }
        if (result instanceof HttpClient.DerivedClientBuilder b && !(result instanceof Proxy)) {
          return proxy(HttpClient.DerivedClientBuilder.class, b, quiescence);
        }
        if (result instanceof WebSocket.Builder b && !(result instanceof Proxy)) {
          return proxy(WebSocket.Builder.class, b, quiescence);
        }
        return result;
      }
    };
    return (T) Proxy.newProxyInstance(CountingHttpClients.class.getClassLoader(), new Class<?>[] {type}, handler);
  }

  private static final class CountingListener implements WebSocket.Listener {
    private final WebSocket.Listener delegate;
    private final Quiescence quiescence;
    private final String watch;

    CountingListener(WebSocket.Listener delegate, Quiescence quiescence, String watch) {
      this.delegate = delegate;
      this.quiescence = quiescence;
      this.watch = watch;
    }

    @Override
    public void onOpen(WebSocket ws) {
      delegate.onOpen(ws);
    }

    @Override
    public void onMessage(WebSocket ws, String text) {
      try {
        delegate.onMessage(ws, text);
      } finally {
        quiescence.watchEventHandled(watch);
      }
    }

    @Override
    public void onMessage(WebSocket ws, ByteBuffer bytes) {
      try {
        delegate.onMessage(ws, bytes);
      } finally {
        quiescence.watchEventHandled(watch);
      }
    }

    @Override
    public void onClose(WebSocket ws, int code, String reason) {
      quiescence.watchClosed(watch);
      delegate.onClose(ws, code, reason);
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      quiescence.watchClosed(watch);
      delegate.onError(ws, error);
    }
  }
}
