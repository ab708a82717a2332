package io.canary.testing.internal;

import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

/**
 * The server side of a watch: counts every event the mock server sends to a client the simulation
 * handed out, so that settling can wait until that client has handled as many.
 */
final class CountedWatchSocket extends WrappedWatchSocket {
  private final Quiescence quiescence;

  CountedWatchSocket(WebSocketListener delegate, Quiescence quiescence) {
    super(delegate);
    this.quiescence = quiescence;
  }

  @Override
  protected WebSocket wrapOnce(WebSocket ws) {
    // only the clients the simulation handed out name their watches; the simulator's own do not
    String watch = ws.request() == null ? null : ws.request().getHeader(CountingHttpClients.WATCH_ID_HEADER);
    return watch != null ? new Counting(ws, watch) : ws;
  }

  @Override
  protected void ended(WebSocket ws) {
    if (ws instanceof Counting c) {
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
}
