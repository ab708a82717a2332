package io.canary.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.canary.core.analysis.LifecycleContext;
import io.canary.core.analysis.LifecycleGate;
import io.canary.core.analysis.LifecyclePoint;
import io.canary.core.analysis.WebhookGate;
import io.canary.core.event.GateChecked;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.Check;
import io.canary.core.spi.Verdict;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Gates at the points of a rollout's life, as Flagger's webhooks: asked, held, told, and recorded. */
class GatesTest {
  private static ImmutableCanarySpec.Builder spec(GateSpec... gates) {
    return RunnerStepsTest.spec(Step.setWeight(20), Step.pause(Duration.ofMinutes(1)), Step.setWeight(50),
        Step.setWeight(30)).addGates(gates);
  }

  /** A gate that remembers what it was asked and answers pass once {@code open}. */
  static final class Recording implements LifecycleGate {
    final List<LifecycleContext> asked = new CopyOnWriteArrayList<>();
    final AtomicBoolean open = new AtomicBoolean(true);
    Verdict closedVerdict = Verdict.INCONCLUSIVE;

    @Override
    public AnalysisResult check(LifecycleContext context) {
      asked.add(context);
      return open.get()
          ? AnalysisResult.of(List.of(new Check("approval", "ticket CHG-42", 1, Double.NaN, "== 1", Verdict.PASS, "approved")))
          : new AnalysisResult(closedVerdict, "not approved yet", List.of());
    }
  }

  @Test
  void trafficIncreaseGatesAreAskedBeforeEachRaiseWithTheNextWeightAndNotForADecrease() {
    Recording gate = new Recording();
    try (Fixture f = new Fixture()) {
      CanarySpec spec = spec(GateSpec.at(LifecyclePoint.CONFIRM_TRAFFIC_INCREASE, "capacity", gate)).build();
      RolloutStatus done = f.runner.start(spec).await(s -> s.phase().isTerminal(), Duration.ofHours(1));
      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(gate.asked).extracting(LifecycleContext::nextWeight).containsExactly(20, 50);
      assertThat(gate.asked).extracting(LifecycleContext::canaryWeight).containsExactly(0, 20);
      assertThat(f.events).filteredOn(e -> e instanceof GateChecked).hasSize(2);
    }
  }

  @Test
  void aPromotionGateHoldsTheRolloutUntilItPassesAndTheStatusSaysWhy() {
    Recording gate = new Recording();
    gate.open.set(false);
    try (Fixture f = new Fixture()) {
      CanarySpec spec = spec(GateSpec.builder().point(LifecyclePoint.CONFIRM_PROMOTION).name("change-ticket").gate(gate)
          .interval(Duration.ofMinutes(5)).build()).build();
      RolloutHandle rollout = f.runner.start(spec);
      f.advance(Duration.ofMinutes(30));
      RolloutStatus held = rollout.status();
      assertThat(held.phase()).isEqualTo(Phase.PROGRESSING);
      assertThat(held.stepIndex()).isEqualTo(4);
      assertThat(held.currentWeight()).as("the last weight stays").isEqualTo(30);
      assertThat(held.gate()).hasValueSatisfying(g -> {
        assertThat(g.passed()).isFalse();
        assertThat(g.message()).isEqualTo("change-ticket INCONCLUSIVE (not approved yet)");
      });
      assertThat(gate.asked).as("asked every 5 minutes, not more").hasSizeBetween(5, 7);
      assertThat(rollout.describe()).contains("Gate:", "held by confirm-promotion");
      assertThat(f.workloads.calls()).doesNotContain("promote");

      gate.open.set(true);
      RolloutStatus done = rollout.await(s -> s.phase().isTerminal(), Duration.ofHours(1));
      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(f.workloads.calls()).contains("promote");
    }
  }

  @Test
  void aFailingPreRolloutGateAbortsBeforeTheCanaryExists() {
    Recording gate = new Recording();
    gate.open.set(false);
    gate.closedVerdict = Verdict.FAIL;
    try (Fixture f = new Fixture()) {
      CanarySpec spec = spec(GateSpec.at(LifecyclePoint.PRE_ROLLOUT, "freeze-window", gate)).build();
      RolloutStatus done = f.runner.start(spec).await(s -> s.phase().isTerminal(), Duration.ofHours(1));
      assertThat(done.phase()).isEqualTo(Phase.ABORTED);
      assertThat(done.abortReason()).hasValue("gate pre-rollout failed: freeze-window FAIL (not approved yet)");
      assertThat(f.workloads.calls()).doesNotContain("ensureCanary");
      assertThat(f.router.weights(spec.key())).isEmpty();
    }
  }

  @Test
  void postRolloutAndRollbackGatesAreToldAndRecordedAsEvents() {
    Recording post = new Recording();
    Recording rollback = new Recording();
    try (Fixture f = new Fixture()) {
      CanarySpec spec = spec(GateSpec.at(LifecyclePoint.POST_ROLLOUT, "notify", post),
          GateSpec.at(LifecyclePoint.ROLLBACK, "page", rollback)).build();
      f.runner.start(spec).await(s -> s.phase().isTerminal(), Duration.ofHours(1));
      assertThat(post.asked).singleElement().satisfies(c -> assertThat(c.phase()).isEqualTo(Phase.SUCCEEDED));
      assertThat(rollback.asked).isEmpty();
    }
    try (Fixture f = new Fixture()) {
      CanarySpec spec = spec(GateSpec.at(LifecyclePoint.POST_ROLLOUT, "notify", post),
          GateSpec.at(LifecyclePoint.ROLLBACK, "page", rollback)).build();
      RolloutHandle rollout = f.runner.start(spec);
      rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      rollout.abort();
      rollout.await(s -> s.phase().isTerminal(), Duration.ofHours(1));
      assertThat(rollback.asked).singleElement().satisfies(c -> assertThat(c.phase()).isEqualTo(Phase.ABORTING));
      assertThat(f.events).filteredOn(e -> e instanceof GateChecked g && g.point() == LifecyclePoint.ROLLBACK).hasSize(1);
    }
  }

  @Test
  void anHttpWebhookHoldsPromotionUntilItAnswers2xx() throws IOException {
    AtomicInteger calls = new AtomicInteger();
    List<String> bodies = new CopyOnWriteArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/approve", exchange -> {
      bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      int status = calls.incrementAndGet() < 3 ? 403 : 200;
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
    try (Fixture f = new Fixture()) {
      URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/approve");
      CanarySpec spec = spec(GateSpec.builder().point(LifecyclePoint.CONFIRM_PROMOTION).name("approve")
          .gate(WebhookGate.of("approve", url)).interval(Duration.ofMinutes(1)).build()).build();
      RolloutStatus done = f.runner.start(spec).await(s -> s.phase().isTerminal(), Duration.ofHours(2));
      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(calls.get()).isEqualTo(3);
      assertThat(bodies.get(0)).contains("\"point\":\"confirm-promotion\"", "\"name\":\"web\"", "\"canaryWeight\":30");
      assertThat(f.events).filteredOn(e -> e instanceof GateChecked).extracting(e -> ((GateChecked) e).result().verdict())
          .containsExactly(Verdict.FAIL, Verdict.FAIL, Verdict.PASS);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void theStatusKeepsTheLastResultWithItsChecksAndTheStoredFormToo() {
    Recording gate = new Recording();
    try (Fixture f = new Fixture()) {
      CanarySpec spec = spec(GateSpec.at(LifecyclePoint.CONFIRM_TRAFFIC_INCREASE, "capacity", gate)).build();
      RolloutHandle rollout = f.runner.start(spec);
      RolloutStatus paused = rollout.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(5));
      assertThat(paused.lastAnalysis()).hasValueSatisfying(a -> {
        assertThat(a.name()).isEqualTo("capacity");
        assertThat(a.where()).isEqualTo("confirm-traffic-increase");
        assertThat(a.checks()).singleElement().satisfies(c -> assertThat(c.query()).isEqualTo("ticket CHG-42"));
      });
      assertThat(StatusDocument.read(StatusDocument.write(paused), "here")).isEqualTo(paused);
      assertThat(rollout.describe()).contains("Analysis:", "capacity (confirm-traffic-increase) PASS",
          "approval PASS: canary 1; rule == 1; approved [ticket CHG-42]");
    }
  }

  @Test
  void gatesAreValidatedWithTheSpec() {
    Recording gate = new Recording();
    assertThatThrownBy(() -> spec(GateSpec.at(LifecyclePoint.CONFIRM_PROMOTION, "a", gate),
            GateSpec.at(LifecyclePoint.CONFIRM_PROMOTION, "a", gate), GateSpec.at(LifecyclePoint.ANALYSIS, "b", gate))
        .build())
        .isInstanceOf(CanaryValidationException.class)
        .hasMessageContaining("gates[1] (confirm-promotion a).name: 'a' names another gate of confirm-promotion")
        .hasMessageContaining("gates[2] (rollout b).point: a gate asked at every analysis is an analysis gate");
  }
}
