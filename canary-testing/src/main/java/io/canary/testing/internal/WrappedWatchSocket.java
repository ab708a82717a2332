package io.canary.testing.internal;

import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

/**
 * The server side of one watch of the in-process API server, with the socket it sends on wrapped: every
 * callback reaches the mock's own listener with the one wrapper made for the socket (the dispatcher may
 * tell its sockets apart by identity), and {@link #ended} hears when the watch closes or fails.
 */
public abstract class WrappedWatchSocket extends WebSocketListener {
  private final WebSocketListener delegate;
  private volatile WebSocket wrapped;

  protected WrappedWatchSocket(WebSocketListener delegate) {
    this.delegate = delegate;
  }

  /** The wrapper of {@code ws}, made once. */
  protected abstract WebSocket wrapOnce(WebSocket ws);

  /** The watch closes or failed; {@code ws} is the wrapper. */
  protected void ended(WebSocket ws) {}

  private WebSocket wrap(WebSocket ws) {
    WebSocket w = wrapped;
    if (w == null) {
      w = wrapOnce(ws);
      wrapped = w;
    }
    return w;
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
    ended(wrap(ws));
    delegate.onClosing(wrap(ws), code, reason);
  }

  @Override
  public void onClosed(WebSocket ws, int code, String reason) {
    ended(wrap(ws));
    delegate.onClosed(wrap(ws), code, reason);
  }

  @Override
  public void onFailure(WebSocket ws, Throwable t, Response response) {
    ended(wrap(ws));
    delegate.onFailure(wrap(ws), t, response);
  }
}
