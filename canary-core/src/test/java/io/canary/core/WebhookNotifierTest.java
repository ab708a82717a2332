package io.canary.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.canary.core.notify.WebhookNotifier;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The notifier posts a rollout's events to a loopback hook, off the runner's scheduler, with bounded retries. */
class WebhookNotifierTest {
  private final ExecutorService serverThreads = Executors.newFixedThreadPool(2);
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final AtomicInteger calls = new AtomicInteger();
  private volatile int failFirst;
  private volatile int status = 200;
  private HttpServer server;

  private URI hook() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(serverThreads);
    server.createContext("/hook", exchange -> {
      try (exchange) {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        int call = calls.incrementAndGet();
        int code = call <= failFirst ? 503 : status;
        if (code == 200) {
          bodies.add(body);
        }
        exchange.sendResponseHeaders(code, -1);
      }
    });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  @AfterEach
  void stop() {
    server.stop(0);
    serverThreads.shutdownNow();
  }

  @Test
  void everyTransitionOfARolloutIsPostedWithASlackTextAndItsFields() throws Exception {
    try (Fixture f = new Fixture(); WebhookNotifier notifier = WebhookNotifier.builder(hook()).build()) {
      RolloutHandle rollout = f.runner.start(Scenarios.rolloutsDemo());
      rollout.addListener(notifier);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      rollout.promoteFully();
      rollout.await(Duration.ofHours(1));
      notifier.close();

      assertThat(notifier.dropped()).isZero();
      assertThat(bodies).isNotEmpty().allSatisfy(b -> assertThat(b).startsWith("{\"text\":\"[istio-argo-rollouts/rollouts-demo] "));
      // The weight and the pause that follows it are one save: its events carry the status saved, paused.
      assertThat(bodies).anySatisfy(b -> assertThat(b).contains("WeightChanged: Canary weight 0 -> 20")
          .contains("\"reason\":\"WeightChanged\"").contains("\"canaryWeight\":20").contains("\"phase\":\"Paused\""));
      assertThat(bodies).last().satisfies(b -> assertThat(b).contains("\"reason\":\"RolloutPromoted\"")
          .contains("\"phase\":\"Succeeded\""));
      assertThat(bodies).noneSatisfy(b -> assertThat(b).contains("\"reason\":\"CanaryScaled\""));
    }
  }

  @Test
  void aHookThatCannotAnswerIsTriedAgainUpToTheLimitThenTheEventIsDropped() throws Exception {
    failFirst = 2;
    URI url = hook();
    try (Fixture f = new Fixture();
        WebhookNotifier notifier = WebhookNotifier.builder(url).backoff(Duration.ofMillis(1)).maxAttempts(3)
            .events(e -> e.reason().equals("RolloutStarted")).build()) {
      f.runner.start(Scenarios.rolloutsDemo()).addListener(notifier);
      f.runner.handles().get(0).await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      notifier.close();

      assertThat(calls.get()).as("two 503s, then the third attempt").isEqualTo(3);
      assertThat(bodies).singleElement().satisfies(b -> assertThat(b).contains("RolloutStarted"));
      assertThat(notifier.delivered()).isEqualTo(1);
    }
    calls.set(0);
    failFirst = 10;
    try (WebhookNotifier giveUp = WebhookNotifier.builder(url).backoff(Duration.ZERO).maxAttempts(2).build()) {
      giveUp.onEvent(new io.canary.core.event.RolloutStarted(io.canary.core.internal.RolloutMachine.initial(
          Scenarios.rolloutsDemo(), "f", java.time.Instant.EPOCH), java.time.Instant.EPOCH, false));
      giveUp.close();
      assertThat(calls.get()).isEqualTo(2);
      assertThat(giveUp.dropped()).isEqualTo(1);
    }
  }

  @Test
  void aHookThatHangsNeverHoldsTheRolloutUp() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(serverThreads);
    server.createContext("/slow", exchange -> {
      try (exchange) {
        release.await(10, TimeUnit.SECONDS);
        exchange.sendResponseHeaders(200, -1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    server.start();
    URI slow = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/slow");
    try (Fixture f = new Fixture();
        WebhookNotifier notifier = WebhookNotifier.builder(slow).closeTimeout(Duration.ofSeconds(5)).build()) {
      RolloutHandle rollout = f.runner.start(Scenarios.rolloutsDemo());
      rollout.addListener(notifier);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      rollout.promoteFully();

      assertThat(rollout.await(Duration.ofHours(1)).phase()).as("the rollout ends while the hook has not answered once")
          .isEqualTo(Phase.SUCCEEDED);
      release.countDown();
    }
  }
}
