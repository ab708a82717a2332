package io.canary.testing.internal;

import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

/**
 * The server side of a watch: counts every event the mock server sends to a client the simulation
 * handed out, so that settling can wait until that client has handled as many.
 */
final class CountedWatchSocket extends WebSocketListener {
  private final WebSocketListener delegate;
  private final Quiescence quiescence;
  private volatile WebSocket counted;

  CountedWatchSocket(WebSocketListener delegate, Quiescence quiescence) {
    this.delegate = delegate;
    this.quiescence = quiescence;
  }

  private WebSocket wrap(WebSocket ws) {
    WebSocket c = counted;
    if (c == null) {
      // only the clients the simulation handed out name their watches; the simulator's own do not
      String watch = ws.request() == null ? null : ws.request().getHeader(CountingHttpClients.WATCH_ID_HEADER);
      c = watch != null ? new Counting(ws, watch) : ws;
      counted = c;
    }
    return c;
  }

  private void closed(WebSocket ws) {
    if (wrap(ws) instanceof Counting c) {
      quiescence.watchClosed(c.watch);
    }
  }

  private final class Counting implements WebSocket {
    private final WebSocket ws;
    private final String watch;

    Counting(WebSocket ws, String watch) {
      this.ws = ws;
      this.watch = watch;
    }

    @Override
    public RecordedRequest request() {
      return ws.request();
    }

    @Override
    public boolean send(String text) {
      quiescence.watchEventSent(watch);
      return ws.send(text);
    }

    @Override
    public boolean send(byte[] bytes) {
      quiescence.watchEventSent(watch);
      return ws.send(bytes);
    }

    @Override
    public boolean close(int code, String reason) {
      return ws.close(code, reason);
    }
  }

  @Override
  public void onBeforeAccept(WebSocket ws, Response response) {
    delegate.onBeforeAccept(wrap(ws), response);
  }

  @Override
  public void onOpen(WebSocket ws, Response response) {
    delegate.onOpen(wrap(ws), response);
  }

  @Override
  public void onMessage(WebSocket ws, String text) {
    delegate.onMessage(wrap(ws), text);
  }

  @Override
  public void onMessage(WebSocket ws, byte[] bytes) {
    delegate.onMessage(wrap(ws), bytes);
  }

  @Override
  public void onClosing(WebSocket ws, int code, String reason) {
    closed(ws);
    delegate.onClosing(wrap(ws), code, reason);
  }

  @Override
  public void onClosed(WebSocket ws, int code, String reason) {
    closed(ws);
    delegate.onClosed(wrap(ws), code, reason);
  }

  @Override
  public void onFailure(WebSocket ws, Throwable t, Response response) {
    closed(ws);
    delegate.onFailure(wrap(ws), t, response);
  }
}
