package io.canary.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.memory.InMemoryWorkloads;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingState;
import io.canary.core.spi.TrafficRouter;
import io.canary.core.time.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** A router of the user's own, with its own strategy type, needs nothing from core beyond the SPI. */
class CustomRouterTest {
  /** A load balancer's pools, as a team's own router would name them. */
  record PoolStrategy(String balancer, String stablePool, String canaryPool) implements TrafficStrategy {
    @Override
    public String kind() {
      return "pools";
    }

    @Override
    public List<Problem> validate() {
      return stablePool.equals(canaryPool)
          ? List.of(Problem.of("canaryPool", "must differ from stablePool ('" + stablePool + "')"))
          : List.of();
    }

    @Override
    public String canonicalForm() {
      return "pools(" + balancer + " " + stablePool + " " + canaryPool + ")";
    }

    @Override
    public List<String> describeObjects() {
      return List.of("LoadBalancer " + balancer);
    }
  }

  /** Keeps each pool's share per balancer, as the balancer's API would. */
  static final class PoolRouter implements TrafficRouter {
    final Map<String, Map<String, Integer>> shares = new ConcurrentHashMap<>();
    final List<Integer> writes = new ArrayList<>();

    @Override
    public List<Problem> validate(CanarySpec spec) {
      return spec.traffic() instanceof PoolStrategy ? List.of()
          : List.of(Problem.of("traffic", "PoolRouter drives PoolStrategy only"));
    }

    @Override
    public void apply(CanarySpec spec, RoutingState desired) {
      PoolStrategy pools = (PoolStrategy) spec.traffic();
      shares.put(pools.balancer(), Map.of(pools.stablePool(), 100 - desired.canaryWeight(),
          pools.canaryPool(), desired.canaryWeight()));
      writes.add(desired.canaryWeight());
    }

    @Override
    public List<RouteWeight> currentWeights(CanarySpec spec) {
      PoolStrategy pools = (PoolStrategy) spec.traffic();
      Map<String, Integer> share = shares.getOrDefault(pools.balancer(), Map.of());
      return List.of(new RouteWeight("LoadBalancer " + pools.balancer(), "pools",
          share.getOrDefault(pools.stablePool(), 100), share.getOrDefault(pools.canaryPool(), 0)));
    }
  }

  private static CanarySpec spec(PoolStrategy pools) {
    return CanarySpec.builder()
        .name("web").namespace("shop")
        .target(WorkloadRef.deployment("web"))
        .revision(NewRevision.image("web", "registry/web:2"))
        .traffic(pools)
        .addSteps(Step.setWeight(25), Step.pause(Duration.ofMinutes(1)), Step.setWeight(75))
        .build();
  }

  @Test
  void aRolloutRunsThroughARouterWithItsOwnStrategyType() {
    VirtualScheduler clock = VirtualScheduler.create();
    PoolRouter router = new PoolRouter();
    try (CanaryRunner runner = CanaryRunner.builder()
        .trafficRouter(router)
        .workloads(InMemoryWorkloads.create(clock, 4, Duration.ofSeconds(5)))
        .scheduler(clock)
        .build()) {
      RolloutHandle rollout = runner.start(spec(new PoolStrategy("edge-lb", "blue", "green")));
      RolloutStatus done = rollout.await(s -> s.phase().isTerminal(), Duration.ofHours(1));

      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(router.writes).containsSubsequence(25, 75, 0);
      assertThat(router.shares.get("edge-lb")).isEqualTo(Map.of("blue", 100, "green", 0));
      assertThat(rollout.describe()).contains("Strategy:").contains("Canary (pools)");
    }
  }

  @Test
  void theStrategysOwnValidationRunsWhenTheSpecIsBuilt() {
    assertThatThrownBy(() -> spec(new PoolStrategy("edge-lb", "blue", "blue")))
        .isInstanceOf(CanaryValidationException.class)
        .hasMessageContaining("traffic.canaryPool: must differ from stablePool ('blue')");
  }
}
