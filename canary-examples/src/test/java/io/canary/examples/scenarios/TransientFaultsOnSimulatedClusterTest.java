package io.canary.examples.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.Phase;
import io.canary.testing.FaultInjection;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Transient API faults never fail a rollout: every seed scenario, end to end with every real adapter
 * (ConfigMap status, Lease locks), with 5 % and 20 % of its runner's requests failing (500, 503, 409 on
 * writes, 429 with Retry-After, timeouts, connection resets; {@link FaultInjection}, seeded), ends
 * Succeeded with the routing objects as the user wrote them, every routing write's weights summing to
 * 100, and one canary workload (created once and removed at the end, or the user's own, kept). {@link FaultRuns#main} runs more seeds.
 */
class TransientFaultsOnSimulatedClusterTest {
  static Stream<Arguments> runs() {
    return Stream.of(0.05, 0.20).flatMap(rate -> FaultRuns.SCENARIOS.stream()
        .flatMap(scenario -> Stream.of(1L, 2L).map(seed -> Arguments.of(scenario, rate, seed))));
  }

  @ParameterizedTest(name = "{0} at {1} of requests failing, seed {2}")
  @MethodSource("runs")
  void everyRolloutSucceedsWithTheRoutingObjectsIntact(FaultRuns.Scenario scenario, double rate, long seed) {
    FaultRuns.Result r = FaultRuns.run(scenario, rate, seed);

    assertThat(r.injectedTotal()).as("faults injected into %d requests", r.requests()).isPositive();
    assertThat(r.end().phase()).as("%s; faults %s", r.end(), r.injected()).isEqualTo(Phase.SUCCEEDED);
    assertThat(r.routingAfter()).as("the routing objects as the user wrote them").isEqualTo(r.routingBefore());
    assertThat(r.routingWrites()).as("routing writes").isPositive();
    assertThat(r.badWeightWrites()).as("routing writes whose weights do not sum to 100").isEmpty();
    assertThat(r.canaryCreations()).as("canary workloads created (none where the user brings the canary)")
        .isEqualTo(scenario.canariesCreated());
    assertThat(r.deploymentsLeft()).as("Deployments left that the seed did not have").isEmpty();
  }
}
