package io.canary.hpa;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.ImmutableCanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Phase;
import io.canary.core.Revisions;
import io.canary.core.RolloutStatus;
import io.canary.core.Step;
import io.canary.core.WorkloadRef;
import io.canary.core.memory.InMemoryStrategy;
import io.canary.core.memory.InMemoryTrafficRouter;
import io.canary.core.spi.CanaryScale;
import io.canary.kubernetes.KubernetesWorkloads;
import io.canary.testing.ObservedRequest;
import io.canary.testing.SimulatedCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The requests the workload adapters (HpaAwareWorkloads over KubernetesWorkloads) send on the simulated
 * cluster, rollouts-demo-subsets scenario (an autoscaler on the target, 25 req/s through the gateway):
 * every read from the informer caches, no write that changes nothing.
 */
class RolloutRequestsTest {
  private static final String NS = "istio-argo-rollouts";
  private static final String CANARY_HPA = "/apis/autoscaling/v2/namespaces/" + NS + "/horizontalpodautoscalers";

  private SimulatedCluster sim;
  private KubernetesWorkloads kubernetes;
  private HpaAwareWorkloads workloads;

  @BeforeEach
  void setUp() {
    sim = SimulatedCluster.builder().podStartupDelay(Duration.ofSeconds(10)).build();
    sim.loadScenario("rollouts-demo-subsets");
    sim.traffic().flow("browsers").throughGateway("istio-system/rollouts-demo-gateway")
        .to(NS, "rollouts-demo.example.com").rate(25);
    kubernetes = KubernetesWorkloads.create(sim.client());
    workloads = HpaAwareWorkloads.wrap(sim.client(), kubernetes);
  }

  @AfterEach
  void tearDown() {
    workloads.close();
    kubernetes.close();
    sim.close();
  }

  @Test
  void aTenStepRolloutReadsOnlyThroughItsInformersAndSendsOnlyWritesThatChangeSomething() {
    int from = sim.requests().size();
    try (CanaryRunner runner = CanaryRunner.builder()
        .trafficRouter(new InMemoryTrafficRouter())
        .workloads(workloads)
        .scheduler(sim.scheduler())
        .build()) {
      RolloutStatus done = runner.start(tenSteps()).await(Duration.ofHours(12));
      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
    }
    List<ObservedRequest> ours = byTheAdapters(from);
    Map<String, Long> byKind = ours.stream()
        .collect(Collectors.groupingBy(RolloutRequestsTest::kind, TreeMap::new, Collectors.counting()));
    long hpaPatches = Optional.ofNullable(byKind.remove("PATCH horizontalpodautoscalers (one)")).orElse(0L);

    assertThat(byKind).as("requests of one ten-step rollout by verb and resource").containsExactlyInAnyOrderEntriesOf(
        new TreeMap<>(Map.ofEntries(
            // the namespace's four informers, once: list then watch
            Map.entry("GET deployments (list)", 1L), Map.entry("GET deployments (watch)", 1L),
            Map.entry("GET replicasets (list)", 1L), Map.entry("GET replicasets (watch)", 1L),
            Map.entry("GET pods (list)", 1L), Map.entry("GET pods (watch)", 1L),
            Map.entry("GET horizontalpodautoscalers (list)", 1L), Map.entry("GET horizontalpodautoscalers (watch)", 1L),
            // the canary and its autoscaler, created and deleted
            Map.entry("POST deployments (list)", 1L), Map.entry("DELETE deployments (one)", 1L),
            Map.entry("POST horizontalpodautoscalers (list)", 1L), Map.entry("DELETE horizontalpodautoscalers (one)", 1L),
            // the canary's replicas before its autoscaler exists, the promotion
            Map.entry("PATCH deployments (one)", 2L))));
    // Pre-scales: the canary autoscaler's minimum raised for a step and given back once the weight moved,
    // where the step needs more than the minimum: at most two per step (8 in this scenario, as the
    // autoscalers size the workloads under its traffic).
    assertThat(hpaPatches).as("patches of the canary's autoscaler").isBetween(1L, 20L);
    assertThat(ours).as("informer lists, each with resourceVersion=0 (from the watch cache)")
        .filteredOn(r -> kind(r).endsWith("(list)") && r.method().equals("GET"))
        .allMatch(r -> r.path().endsWith("?resourceVersion=0"));
    assertThat(ours).as("every patch changes a field, not only the resourceVersion guard")
        .filteredOn(r -> r.method().equals("PATCH")).allMatch(RolloutRequestsTest::changesAField);
  }

  @Test
  void askingForTheBoundsInForceSendsNoWrite() {
    CanarySpec spec = tenSteps();
    Revisions revisions = workloads.ensureCanary(spec);
    workloads.scaleCanary(spec, revisions, CanaryScale.preScale(4));
    int from = sim.requests().size();
    workloads.scaleCanary(spec, revisions, CanaryScale.preScale(4)); // the minimum is 4 already
    List<ObservedRequest> samePreScale = byTheAdapters(from);
    workloads.trafficShifted(spec, revisions, 10); // the user's minimum back: a change
    from = sim.requests().size();

    workloads.trafficShifted(spec, revisions, 20);
    workloads.scaleCanary(spec, revisions, CanaryScale.preScale(1)); // at most the user's minimum
    workloads.scaleStable(spec, revisions, Optional.empty()); // the stable autoscaler was never changed
    workloads.ensureCanary(spec);
    workloads.observe(spec, revisions);

    assertThat(samePreScale).as("a pre-scale to the minimum in force").isEmpty();
    assertThat(byTheAdapters(from)).as("requests for what is in force already").isEmpty();
  }

  @Test
  void theCanaryAutoscalerJustCreatedIsNotCreatedAgainNorReadBack() {
    CanarySpec spec = tenSteps();
    workloads.validate(spec);
    int from = sim.requests().size();

    Revisions revisions = workloads.ensureCanary(spec);
    workloads.ensureCanary(spec); // at once: the informer may not have seen the autoscaler yet
    workloads.scaleCanary(spec, revisions, CanaryScale.preScale(3));

    List<ObservedRequest> ours = byTheAdapters(from);
    assertThat(ours).filteredOn(r -> r.method().equals("POST") && r.path().startsWith(CANARY_HPA)).hasSize(1);
    assertThat(ours).as("no read: the autoscaler as the create answered is the newest copy")
        .noneMatch(r -> r.method().equals("GET"));
    assertThat(ours).filteredOn(r -> r.method().equals("PATCH") && r.path().startsWith(CANARY_HPA)).singleElement()
        .satisfies(r -> assertThat(r.status()).as("patched at the resourceVersion the create answered").isLessThan(300));
  }

  private List<ObservedRequest> byTheAdapters(int from) {
    List<ObservedRequest> all = sim.requests();
    return all.subList(from, all.size()).stream().filter(r -> !r.bySimulator()).toList();
  }

  private static boolean changesAField(ObservedRequest patch) {
    return patch.body().replace("\"path\":\"/metadata/resourceVersion\"", "").contains("\"path\"");
  }

  /** {@code GET deployments (one)}: verb, resource, and whether one object, a list or a watch. */
  static String kind(ObservedRequest r) {
    String path = r.path();
    String query = path.contains("?") ? path.substring(path.indexOf('?')) : "";
    String[] parts = (query.isEmpty() ? path : path.substring(0, path.indexOf('?'))).split("/");
    int ns = List.of(parts).indexOf("namespaces");
    String resource = ns >= 0 && parts.length > ns + 2 ? parts[ns + 2] : parts[parts.length - 1];
    boolean named = ns >= 0 && parts.length > ns + 3;
    String what = query.contains("watch=true") ? "watch" : named ? "one" : "list";
    return r.method() + " " + resource + " (" + what + ")";
  }

  static CanarySpec tenSteps() {
    ImmutableCanarySpec.Builder b = CanarySpec.builder()
        .name("rollouts-demo").namespace(NS)
        .target(WorkloadRef.deployment("rollouts-demo-deployment"))
        .revision(NewRevision.image("rollouts-demo", "argoproj/rollouts-demo:red"))
        .traffic(InMemoryStrategy.of("route-one"));
    for (int weight = 10; weight <= 100; weight += 10) {
      b.addSteps(Step.setWeight(weight), Step.pause(Duration.ofHours(1)));
    }
    return b.build();
  }
}
