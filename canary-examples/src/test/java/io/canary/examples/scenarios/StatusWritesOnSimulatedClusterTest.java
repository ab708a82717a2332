package io.canary.examples.scenarios;

import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_DEPLOYMENT;
import static io.canary.examples.scenarios.RolloutsDemoObjects.DEMO_NS;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanaryRunner;
import io.canary.core.CanarySpec;
import io.canary.core.ImmutableCanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Phase;
import io.canary.core.RolloutKey;
import io.canary.core.RolloutStatus;
import io.canary.core.Step;
import io.canary.core.WorkloadRef;
import io.canary.core.event.CanaryScaled;
import io.canary.core.event.RolloutEvent;
import io.canary.core.event.StableScaled;
import io.canary.core.spi.StateStore;
import io.canary.core.spi.Versioned;
import io.canary.hpa.HpaAwareWorkloads;
import io.canary.istio.IstioStrategy;
import io.canary.istio.IstioTrafficRouter;
import io.canary.istio.VirtualServiceRef;
import io.canary.kubernetes.ConfigMapStateStore;
import io.canary.kubernetes.KubernetesWorkloads;
import io.canary.testing.ObservedRequest;
import io.canary.testing.SimulatedCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * At most one status write per transition with the status in a ConfigMap, on the simulated cluster
 * with the real adapters (the plans of the SimulationSpeed and ManyRollouts benchmarks): the PUTs of
 * the status ConfigMap the server saw are the saves, each save tells at least one event (but the saves
 * of the pinned stable and of the promoted stable, right after those actions), two saves at one instant have a write of the runner to the cluster before or
 * between them, no save reads the ConfigMap first, and the retention clean-up lists once per namespace.
 */
class StatusWritesOnSimulatedClusterTest {

  /** SimulationSpeed's plan: setWeight 10, 20 ... 100, each followed by a pause of an hour. */
  private static CanarySpec tenSteps(String name, String image) {
    ImmutableCanarySpec.Builder b = spec(name, image);
    for (int weight = 10; weight <= 100; weight += 10) {
      b.addSteps(Step.setWeight(weight), Step.pause(Duration.ofHours(1)));
    }
    return b.build();
  }

  /** ManyRollouts' plan: two weights, two pauses, promotion after a scale-down delay. */
  private static CanarySpec twoWeights(String name, String image) {
    return spec(name, image).addSteps(Step.setWeight(20), Step.pause(Duration.ofSeconds(2)), Step.setWeight(50),
        Step.pause(Duration.ofSeconds(2))).scaleDownDelay(Duration.ofSeconds(2)).build();
  }

  private static ImmutableCanarySpec.Builder spec(String name, String image) {
    return CanarySpec.builder().name(name).namespace(DEMO_NS)
        .target(WorkloadRef.deployment(DEMO_DEPLOYMENT))
        .revision(NewRevision.image("rollouts-demo", image))
        .traffic(IstioStrategy.subsets("rollouts-demo-svc", "rollout-destrule",
            VirtualServiceRef.of("rollouts-demo-vs2", "route-one")));
  }

  @Test
  void aTenStepRolloutSavesItsConfigMapOncePerTransition() {
    try (Simulation s = new Simulation()) {
      Journal j = s.run(tenSteps("rollouts-demo", RolloutsDemoObjects.RED));
      j.assertOneWritePerTransition();
      assertThat(j.writes.size()).as("at least each weight and each pause").isGreaterThanOrEqualTo(20);
      assertThat(s.lists()).as("the retention clean-up at the end: the namespace's ended statuses listed once").isEqualTo(1);
      System.out.printf("ten-step rollout: %d status writes, %d events%n", j.writes.size(), j.events.size());
    }
  }

  @Test
  void rolloutsOfTheManyRolloutsPlanSaveOncePerTransitionAndListForRetentionOnce() {
    try (Simulation s = new Simulation()) {
      Journal first = s.run(twoWeights("release-1", RolloutsDemoObjects.RED));
      first.assertOneWritePerTransition();
      assertThat(s.lists()).isEqualTo(1);
      Journal second = s.run(twoWeights("release-2", RolloutsDemoObjects.BLUE));
      second.assertOneWritePerTransition();
      assertThat(s.lists()).as("the second rollout's end: its target's two ended statuses are within the limit of %d",
          ConfigMapStateStore.DEFAULT_ENDED_KEPT_PER_TARGET).isEqualTo(1);
      System.out.printf("two-weight rollouts: %d and %d status writes%n", first.writes.size(), second.writes.size());
    }
  }

  /** A simulated cluster with the rollouts-demo-subsets scenario and one runner, the status in ConfigMaps. */
  private static final class Simulation implements AutoCloseable {
    final SimulatedCluster sim = SimulatedCluster.builder().podStartupDelay(Duration.ofSeconds(10)).build();
    final KubernetesWorkloads kubernetes;
    final HpaAwareWorkloads workloads;
    final ConfigMapStateStore store;
    Journal journal;
    final CanaryRunner runner;

    Simulation() {
      sim.loadScenario("rollouts-demo-subsets");
      sim.traffic().flow("browsers").throughGateway("istio-system/rollouts-demo-gateway")
          .to(DEMO_NS, "rollouts-demo.example.com").rate(25);
      kubernetes = KubernetesWorkloads.create(sim.client());
      workloads = HpaAwareWorkloads.wrap(sim.client(), kubernetes);
      store = ConfigMapStateStore.create(sim.client(), DEMO_NS);
      runner = CanaryRunner.builder()
          .trafficRouter(IstioTrafficRouter.create(sim.client()))
          .workloads(workloads)
          .stateStore(new JournalledStore())
          .scheduler(sim.scheduler())
          .addListener(e -> journal.told(e))
          .build();
    }

    Journal run(CanarySpec spec) {
      journal = new Journal(sim, spec.key());
      RolloutStatus done = runner.start(spec).await(Duration.ofHours(12));
      assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
      journal.end = sim.requests().size();
      return journal;
    }

    /** Lists of the namespace's ConfigMaps (the retention clean-up's). */
    long lists() {
      return sim.requests().stream().filter(r -> !r.bySimulator() && r.method().equals("GET")
          && r.path().split("\\?")[0].equals("/api/v1/namespaces/" + DEMO_NS + "/configmaps")
          && !r.path().contains("watch=true")).count();
    }

    @Override
    public void close() {
      runner.close();
      workloads.close();
      kubernetes.close();
      sim.close();
    }

    /** The ConfigMap store, each save noted with where the server's request log stands after it. */
    private final class JournalledStore implements StateStore {
      @Override
      public Optional<Versioned<RolloutStatus>> load(RolloutKey key) {
        return store.load(key);
      }

      @Override
      public String compareAndSet(RolloutKey key, Optional<String> expectedVersion, RolloutStatus status) {
        String version = store.compareAndSet(key, expectedVersion, status);
        journal.wrote(status);
        return version;
      }

      @Override
      public List<RolloutKey> list() {
        return store.list();
      }

      @Override
      public void delete(RolloutKey key) {
        store.delete(key);
      }
    }
  }

  record Write(Instant at, RolloutStatus status, int requestsAfter, int eventsBefore) {}

  /** One rollout's saves and events, and the server's requests over it. */
  private static final class Journal {
    final SimulatedCluster sim;
    final String configMapPath;
    final int start;
    int end;
    final List<Write> writes = new CopyOnWriteArrayList<>();
    final List<RolloutEvent> events = new CopyOnWriteArrayList<>();

    Journal(SimulatedCluster sim, RolloutKey key) {
      this.sim = sim;
      this.configMapPath = "/api/v1/namespaces/" + key.namespace() + "/configmaps/" + ConfigMapStateStore.configMapName(key);
      this.start = sim.requests().size();
    }

    void wrote(RolloutStatus status) {
      writes.add(new Write(sim.scheduler().now(), status, sim.requests().size(), events.size()));
    }

    void told(RolloutEvent e) {
      events.add(e);
    }

    /** The events the save told: those after it, before the next save. */
    List<RolloutEvent> toldBy(int write) {
      int from = writes.get(write).eventsBefore();
      int to = write + 1 < writes.size() ? writes.get(write + 1).eventsBefore() : events.size();
      return events.subList(from, to);
    }

    /** The runner's writes to the cluster other than its status saves, between two request-log positions. */
    List<ObservedRequest> clusterWrites(int from, int to) {
      List<ObservedRequest> all = sim.requests();
      List<ObservedRequest> found = new ArrayList<>();
      for (ObservedRequest r : all.subList(from, to)) {
        if (r.isWriteUnderTest() && !r.path().split("\\?")[0].startsWith(configMapPath)
            && !r.path().contains("/configmaps") && r.status() < 300) {
          found.add(r);
        }
      }
      return found;
    }

    void assertOneWritePerTransition() {
      List<ObservedRequest> requests = sim.requests().subList(start, end);
      List<ObservedRequest> statusWrites = requests.stream().filter(r -> !r.bySimulator() && r.isWrite()
          && (r.path().split("\\?")[0].equals(configMapPath) || r.method().equals("POST") && r.body().contains(
              "\"name\":\"" + configMapPath.substring(configMapPath.lastIndexOf('/') + 1) + "\""))).toList();
      assertThat(statusWrites).as("the status ConfigMap's writes the server saw, against the store's saves")
          .hasSize(writes.size());
      int firstWrite = writes.get(0).requestsAfter() - start;
      assertThat(requests.subList(firstWrite, requests.size())).as("reads of the status ConfigMap once it is saved")
          .noneMatch(r -> !r.bySimulator() && r.method().equals("GET") && r.path().split("\\?")[0].equals(configMapPath));

      int silent = 0;
      int transitions = 0;
      for (int i = 0; i < writes.size(); i++) {
        Write w = writes.get(i);
        if (toldBy(i).isEmpty()) {
          silent++;
          assertThat(w.status().phase() + " " + w.status().stage())
              .as("write %d tells no event: only the saves of the pinned and of the promoted stable may", i + 1)
              .isIn("PENDING NONE", "PROMOTING PROMOTE_STABLE");
          assertThat(w.status().revisions()).isPresent();
        } else {
          transitions++;
        }
        if (i > 0) {
          Write previous = writes.get(i - 1);
          assertThat(w.status()).as("write %d repeats the status before it", i + 1).isNotEqualTo(previous.status());
          if (w.at().equals(previous.at())) {
            int from = i >= 2 ? writes.get(i - 2).requestsAfter() : start;
            // A scale the autoscaler's bounds already allow is an action that needs no request: its event says it.
            boolean scaled = java.util.stream.Stream.concat(toldBy(i - 1).stream(), toldBy(i).stream())
                .anyMatch(e -> e instanceof CanaryScaled || e instanceof StableScaled);
            List<Object> evidence = scaled ? List.of("scaled") : List.copyOf(clusterWrites(from, w.requestsAfter() - 1));
            assertThat(evidence)
                .as("write %d (%s, step %d) at the instant of the one before, neither after a write to the cluster: one"
                    + " transition in two writes", i + 1, w.status().phase(), w.status().stepIndex()).isNotEmpty();
          }
        }
      }
      assertThat(silent).as("writes that tell no event: the saves of the pinned and of the promoted stable").isEqualTo(2);
      assertThat(writes).as("status writes against the transitions the events show (+2: the pinned and the promoted stable)")
          .hasSize(transitions + 2);
    }
  }
}
