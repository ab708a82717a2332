package io.canary.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.memory.InMemoryTrafficRouter;
import io.canary.core.memory.InMemoryWorkloads;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingConfirmation;
import io.canary.core.spi.RoutingState;
import io.canary.core.spi.TrafficRouter;
import io.canary.core.time.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A weight counts as applied only once the routing layer confirms it. */
class RoutingConfirmationTest {
  /** A router whose routing layer answers what the test says, and tells the runner when it changes its mind. */
  static final class ConfirmingRouter implements TrafficRouter {
    final InMemoryTrafficRouter routes = new InMemoryTrafficRouter();
    final AtomicReference<RoutingConfirmation> answer = new AtomicReference<>(RoutingConfirmation.confirmed());
    volatile Runnable onChange = () -> {};
    volatile int asked;

    @Override
    public List<Problem> validate(CanarySpec spec) {
      return routes.validate(spec);
    }

    @Override
    public void apply(CanarySpec spec, RoutingState desired) {
      routes.apply(spec, desired);
    }

    @Override
    public List<RouteWeight> currentWeights(CanarySpec spec) {
      return routes.currentWeights(spec);
    }

    @Override
    public RoutingConfirmation confirmation(CanarySpec spec, RoutingState applied) {
      asked++;
      return applied.canaryWeight() == 0 ? RoutingConfirmation.confirmed() : answer.get();
    }

    @Override
    public AutoCloseable watchConfirmation(CanarySpec spec, Runnable onChange) {
      this.onChange = onChange;
      return () -> this.onChange = () -> {};
    }

    void answer(RoutingConfirmation confirmation) {
      answer.set(confirmation);
      onChange.run();
    }
  }

  private final VirtualScheduler clock = VirtualScheduler.create();
  private final ConfirmingRouter router = new ConfirmingRouter();

  private CanaryRunner runner() {
    return CanaryRunner.builder().trafficRouter(router).workloads(InMemoryWorkloads.create(clock, 4, Duration.ZERO))
        .scheduler(clock).build();
  }

  private static CanarySpec spec() {
    return RunnerStepsTest.spec(Step.setWeight(25), Step.pause(Duration.ofMinutes(1)), Step.setWeight(50))
        .progressDeadline(Duration.ofMinutes(5)).build();
  }

  @Test
  void theNextStepWaitsUntilTheRoutingLayerConfirmsTheWeight() {
    router.answer.set(RoutingConfirmation.pending("NotReconciled", "VirtualService shop/web: 1 of 3 proxies"));
    try (CanaryRunner runner = runner()) {
      RolloutHandle rollout = runner.start(spec());
      clock.advance(Duration.ofMinutes(2));
      assertThat(rollout.status().currentWeight()).isEqualTo(25);
      assertThat(rollout.status().phase()).as("the pause has not started: the weight is not applied yet")
          .isEqualTo(Phase.PROGRESSING);
      assertThat(router.routes.weights(spec().key())).containsExactly(0, 25);

      router.answer(RoutingConfirmation.confirmed());
      clock.runDue();
      assertThat(rollout.status().phase()).isEqualTo(Phase.PAUSED);
      RolloutStatus done = rollout.await(s -> s.phase().isTerminal(), Duration.ofHours(1));
      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
    }
  }

  @Test
  void aRefusalAbortsWithTheRoutingLayersReason() {
    router.answer.set(RoutingConfirmation.refused("NotAllowedByListeners", "HTTPRoute shop/web: parent Gateway edge/public"));
    try (CanaryRunner runner = runner()) {
      RolloutHandle rollout = runner.start(spec());
      RolloutStatus done = rollout.await(s -> s.phase().isTerminal(), Duration.ofHours(1));
      assertThat(done.phase()).isEqualTo(Phase.ABORTED);
      assertThat(done.condition(Condition.ABORTED)).hasValueSatisfying(c -> {
        assertThat(c.reason()).isEqualTo("RoutingRefused");
        assertThat(c.message()).isEqualTo("the routing layer refused weight 25: NotAllowedByListeners:"
            + " HTTPRoute shop/web: parent Gateway edge/public");
      });
      assertThat(router.routes.weights(spec().key())).as("traffic back to stable").endsWith(0);
    }
  }

  @Test
  void noConfirmationWithinTheProgressDeadlineAborts() {
    router.answer.set(RoutingConfirmation.pending("NoStatus", "HTTPRoute shop/web: no parent wrote a status"));
    try (CanaryRunner runner = runner()) {
      RolloutHandle rollout = runner.start(spec());
      clock.advance(Duration.ofMinutes(4));
      assertThat(rollout.status().phase()).isEqualTo(Phase.PROGRESSING);
      RolloutStatus done = rollout.await(s -> s.phase().isTerminal(), Duration.ofHours(1));
      assertThat(done.phase()).isEqualTo(Phase.ABORTED);
      assertThat(done.abortReason()).hasValue("weight 25 was not confirmed by the routing layer within the progress"
          + " deadline of 5m: NoStatus: HTTPRoute shop/web: no parent wrote a status");
    }
  }
}
