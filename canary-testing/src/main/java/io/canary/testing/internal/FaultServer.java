package io.canary.testing.internal;

import io.canary.testing.FaultInjection.Fault;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A tiny HTTP/1.1 server on loopback that answers every request with the fault its path names
 * ({@code /__fault/<FAULT>/<the original path>}): a Kubernetes Status with 500, 503, 409 or 429
 * (with {@code Retry-After}), no answer at all (the client times out, or the connection is closed
 * after the hold time), or a connection reset.
 */
public final class FaultServer implements AutoCloseable {
  private static final String PREFIX = "/__fault/";
  private static final int LONGEST_READ_MILLIS = 10_000;

  private final ServerSocket socket;
  private final Duration retryAfter;
  private final Duration hold;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "canary-fault-server");
    t.setDaemon(true);
    return t;
  });
  private volatile boolean closed;

  private FaultServer(ServerSocket socket, Duration retryAfter, Duration hold) {
    this.socket = socket;
    this.retryAfter = retryAfter;
    this.hold = hold;
  }

  /**
   * @param retryAfter the Retry-After of a 429
   * @param hold how long a request that gets no answer is held before its connection is closed (a
   *     client's own timeout, where it has one, fires about then; a watch's websocket has none)
   */
  public static FaultServer start(Duration retryAfter, Duration hold) {
    try {
      ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      FaultServer server = new FaultServer(s, retryAfter, hold);
      server.threads.execute(server::acceptLoop);
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("could not start the fault server on loopback", e);
    }
  }

  /** Where a request to {@code original} goes to get {@code fault} instead (its scheme kept: http or ws). */
  public URI uriFor(Fault fault, URI original) {
    String path = PREFIX + fault.name() + (original.getRawPath() == null ? "/" : original.getRawPath());
    String query = original.getRawQuery() == null ? "" : "?" + original.getRawQuery();
    return URI.create(original.getScheme() + "://127.0.0.1:" + socket.getLocalPort() + path + query);
  }

  @Override
  public void close() {
    closed = true;
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
    threads.shutdownNow();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket s = socket.accept();
        threads.execute(() -> answer(s));
      } catch (IOException e) {
        if (!closed) {
          continue;
        }
        return;
      }
    }
  }

  private void answer(Socket s) {
    try (s) {
      s.setSoTimeout(LONGEST_READ_MILLIS);
      InputStream in = s.getInputStream();
      String head = readHead(in);
      String requestLine = head.lines().findFirst().orElse("");
      String[] parts = requestLine.split(" ");
      String path = parts.length > 1 ? parts[1] : "";
      Fault fault = faultOf(path);
      drainBody(in, head);
      switch (fault) {
        case CONNECTION_RESET -> s.setSoLinger(true, 0); // closing now sends a reset
        case TIMEOUT -> holdWithoutAnswer(s, in);
        default -> respond(s.getOutputStream(), fault);
      }
    } catch (IOException e) {
      // the client went away: nothing to answer
    }
  }

  private static Fault faultOf(String path) {
    if (!path.startsWith(PREFIX)) {
      return Fault.INTERNAL_ERROR;
    }
    String rest = path.substring(PREFIX.length());
    int slash = rest.indexOf('/');
    try {
      return Fault.valueOf(slash < 0 ? rest : rest.substring(0, slash));
    } catch (IllegalArgumentException e) {
      return Fault.INTERNAL_ERROR;
    }
  }

  private void respond(OutputStream out, Fault fault) throws IOException {
    String reason = switch (fault) {
      case UNAVAILABLE -> "ServiceUnavailable";
      case CONFLICT -> "Conflict";
      case TOO_MANY_REQUESTS -> "TooManyRequests";
      default -> "InternalError";
    };
    boolean hint = fault == Fault.TOO_MANY_REQUESTS;
    long seconds = retryAfter.toSeconds();
    String body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"injected "
        + fault.name().toLowerCase(Locale.ROOT) + "\",\"reason\":\"" + reason + "\","
        + (hint ? "\"details\":{\"retryAfterSeconds\":" + seconds + "}," : "") + "\"code\":" + fault.code() + "}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String headers = "HTTP/1.1 " + fault.code() + " " + reason + "\r\n"
        + "Content-Type: application/json\r\n"
        + "Content-Length: " + bytes.length + "\r\n"
        + (hint ? "Retry-After: " + seconds + "\r\n" : "")
        + "Connection: close\r\n\r\n";
    out.write(headers.getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
      if (head.size() > 64 * 1024) {
        break;
      }
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  private static void drainBody(InputStream in, String head) throws IOException {
    long length = head.lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("content-length:"))
        .map(l -> l.substring(l.indexOf(':') + 1).trim()).mapToLong(Long::parseLong).findFirst().orElse(0);
    for (long left = length; left > 0; ) {
      long skipped = in.skip(left);
      if (skipped <= 0) {
        if (in.read() < 0) {
          return;
        }
        skipped = 1;
      }
      left -= skipped;
    }
  }

  private void holdWithoutAnswer(Socket s, InputStream in) throws IOException {
    s.setSoTimeout((int) Math.max(1, hold.toMillis()));
    try {
      while (in.read() >= 0) {
        // nothing more comes: the client gives up, or the hold runs out and the connection is closed
      }
    } catch (SocketTimeoutException e) {
      // held long enough
    }
  }
}
