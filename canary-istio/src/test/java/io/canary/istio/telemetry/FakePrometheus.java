package io.canary.istio.telemetry;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A Prometheus HTTP API on loopback that records every request and answers canned JSON per exact
 * PromQL query. A query it has no answer for gets Prometheus's own 400 bad_data error, so a query
 * that differs from the expected one by a character fails the test instead of passing by accident.
 */
final class FakePrometheus implements AutoCloseable {
  /** One request as the server saw it, query parameters decoded. */
  record Received(String method, String path, Map<String, String> params, Headers headers) {
    String query() {
      return params.get("query");
    }

    String time() {
      return params.get("time");
    }

    String header(String name) {
      return headers.getFirst(name);
    }
  }

  private record Answer(int status, String body) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile Answer everyQuery;
  private volatile boolean hang;
  private volatile boolean stallBody;

  private FakePrometheus() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  static FakePrometheus start() {
    try {
      return new FakePrometheus();
    } catch (IOException e) {
      throw new IllegalStateException("cannot bind the fake Prometheus on loopback", e);
    }
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Answers {@code promql} with a one-sample vector holding {@code value} (as Prometheus writes it). */
  FakePrometheus answer(String promql, String value) {
    return answer(promql, 200, vector(value));
  }

  FakePrometheus answer(String promql, int status, String body) {
    answers.put(promql, new Answer(status, body));
    return this;
  }

  /** Answers every query alike, whatever it is. */
  FakePrometheus answerEveryQuery(int status, String body) {
    everyQuery = new Answer(status, body);
    return this;
  }

  /** Holds every request unanswered until the server is closed. */
  FakePrometheus hang() {
    hang = true;
    return this;
  }

  /** Sends the head of every answer and the start of its body, then holds the rest until closed. */
  FakePrometheus stallBody() {
    stallBody = true;
    return this;
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  List<String> queries() {
    return received.stream().map(Received::query).toList();
  }

  static String vector(String value) {
    return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
        + "\"value\":[1795406460.000,\"" + value + "\"]}]}}";
  }

  static String emptyVector() {
    return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
  }

  static String error(String errorType, String message) {
    return "{\"status\":\"error\",\"errorType\":\"" + errorType + "\",\"error\":\"" + message + "\"}";
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, String> params = params(exchange.getRequestURI().getRawQuery());
      received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), params,
          exchange.getRequestHeaders()));
      if (hang) {
        awaitClose();
        return;
      }
      Answer answer = everyQuery != null ? everyQuery
          : answers.getOrDefault(params.get("query"), new Answer(400, error("bad_data", "the fake has no answer for this query")));
      byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      if (stallBody) {
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body, 0, body.length / 2);
        exchange.getResponseBody().flush();
        awaitClose();
        return;
      }
      exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private void awaitClose() {
    try {
      closed.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Map<String, String> params(String rawQuery) {
    Map<String, String> params = new LinkedHashMap<>();
    if (rawQuery == null) {
      return params;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.put(name, value);
    }
    return params;
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
