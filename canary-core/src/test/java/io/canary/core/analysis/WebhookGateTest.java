package io.canary.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.canary.core.Phase;
import io.canary.core.RolloutKey;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.Verdict;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The webhook gate against a hook served on loopback. */
class WebhookGateTest {
  final List<String> bodies = new CopyOnWriteArrayList<>();
  final AtomicInteger calls = new AtomicInteger();
  final CountDownLatch released = new CountDownLatch(1);
  final ExecutorService executor = Executors.newCachedThreadPool();
  volatile int[] statuses = {200};
  volatile boolean hang;
  final HttpServer server = start();

  HttpServer start() {
    try {
      HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      s.setExecutor(executor);
      s.createContext("/gate", exchange -> {
        try (exchange) {
          bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          int call = calls.getAndIncrement();
          if (hang) {
            released.await(10, TimeUnit.SECONDS);
            return;
          }
          int status = statuses[Math.min(call, statuses.length - 1)];
          byte[] body = ("answer " + status).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, body.length);
          exchange.getResponseBody().write(body);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      s.start();
      return s;
    } catch (IOException e) {
      throw new IllegalStateException("cannot bind a hook on loopback", e);
    }
  }

  @AfterEach
  void stop() {
    released.countDown();
    server.stop(0);
    executor.shutdownNow();
  }

  ImmutableWebhookGate.Builder gate() {
    return WebhookGate.builder().name("load-test").url(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/gate"))
        .timeout(Duration.ofSeconds(5));
  }

  @Test
  void aTwoHundredPassesAndThePayloadNamesRolloutPhaseStepWeightsAndRevisions() {
    AnalysisResult result = gate().putMetadata("cmd", "hey -z 1m").build().evaluate(Judging.window(0));

    assertThat(result.verdict()).isEqualTo(Verdict.PASS);
    assertThat(bodies).containsExactly("{\"name\":\"checkout\",\"namespace\":\"shop\",\"point\":\"rollout\","
        + "\"phase\":\"Progressing\",\"step\":0,\"canaryWeight\":20,\"nextWeight\":20,"
        + "\"stable\":{\"workload\":\"checkout\",\"hash\":\"a1\"},\"canary\":{\"workload\":\"checkout-canary\",\"hash\":\"b2\"},"
        + "\"metadata\":{\"cmd\":\"hey -z 1m\"},\"time\":\"2026-11-23T04:01:00Z\"}");
  }

  @Test
  void aLifecyclePointIsNamedAsFlaggerNamesIt() {
    LifecycleContext beforePromotion = new LifecycleContext(LifecyclePoint.CONFIRM_PROMOTION, RolloutKey.of("shop", "checkout"),
        Phase.PROGRESSING, 4, 50, 100, Optional.of(Judging.REVISIONS), Judging.T0);
    assertThat(gate().build().check(beforePromotion).verdict()).isEqualTo(Verdict.PASS);
    assertThat(bodies.get(0)).contains("\"point\":\"confirm-promotion\"", "\"canaryWeight\":50", "\"nextWeight\":100");
  }

  @Test
  void aClientErrorFailsAtOnceWithoutRetry() {
    statuses = new int[] {403};
    AnalysisResult result = gate().build().evaluate(Judging.window(0));
    assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(result.message()).contains("HTTP 403 answer 403");
    assertThat(calls).hasValue(1);
  }

  @Test
  void aServerErrorIsRetriedAndAnAnswerWithinTheAttemptsPasses() {
    statuses = new int[] {503, 503, 200};
    AnalysisResult result = gate().maxAttempts(3).build().evaluate(Judging.window(0));
    assertThat(result.verdict()).isEqualTo(Verdict.PASS);
    assertThat(result.message()).contains("HTTP 200 at attempt 3");
    assertThat(calls).hasValue(3);
  }

  @Test
  void aHookThatKeepsFailingGivesTheUnavailableVerdictAfterTheLastAttempt() {
    statuses = new int[] {503};
    AnalysisResult inconclusive = gate().maxAttempts(2).build().evaluate(Judging.window(0));
    assertThat(inconclusive.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(inconclusive.message()).contains("no answer in 2 attempts, last: HTTP 503");
    assertThat(calls).hasValue(2);

    AnalysisResult failed = gate().maxAttempts(1).onUnavailable(Verdict.FAIL).build().evaluate(Judging.window(0));
    assertThat(failed.verdict()).isEqualTo(Verdict.FAIL);
  }

  @Test
  void aHookThatDoesNotAnswerInTimeIsRetriedThenUnavailable() {
    hang = true;
    AnalysisResult result = gate().timeout(Duration.ofMillis(200)).maxAttempts(2).build().evaluate(Judging.window(0));
    assertThat(result.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(result.message()).contains("HttpTimeoutException");
    assertThat(calls).hasValue(2);
  }

  @Test
  void aRefusedConnectionIsUnavailable() {
    int port = server.getAddress().getPort();
    server.stop(0);
    AnalysisResult result = WebhookGate.builder().name("gone").url(URI.create("http://127.0.0.1:" + port + "/gate"))
        .maxAttempts(1).build().evaluate(Judging.window(0));
    assertThat(result.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(result.message()).contains("ConnectException");
  }

  @Test
  void badSettingsAreRefusedNamingTheField() {
    assertThatThrownBy(() -> gate().maxAttempts(0).build()).hasMessage("WebhookGate load-test: maxAttempts must be within 1..10, was 0");
    assertThatThrownBy(() -> gate().onUnavailable(Verdict.PASS).build()).hasMessageStartingWith(
        "WebhookGate load-test: onUnavailable must be INCONCLUSIVE or FAIL");
    assertThatThrownBy(() -> gate().url(URI.create("ftp://hooks/x")).build()).hasMessageStartingWith(
        "WebhookGate load-test: url must be an http or https URL with a host");
  }
}
