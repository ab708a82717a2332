package io.canary.examples.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanarySpec;
import io.canary.core.PauseReason;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutStatus;
import io.canary.core.internal.StepNumbers;
import io.canary.core.spi.TrafficRouter;
import io.canary.examples.scenarios.MortalRunner.KillPoint;
import io.canary.examples.scenarios.MortalRunner.Journal;
import io.canary.kubernetes.CanaryLabels;
import io.canary.kubernetes.ConfigMapStateStore;
import io.canary.testing.ObservedRequest;
import io.canary.testing.SimulatedCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Runs a seed scenario's plan once per {@link KillPoint}, each run in a copy of the seed in a namespace
 * of its own, all on one simulated cluster and one virtual clock (one cluster start and one seed load
 * for the whole matrix; the runs' writes at one instant share the simulation's settle waits).
 *
 * <p>A run: a runner process (its own client and adapters) starts the release and dies at the run's
 * kill point; once its lease has run out, a new process (a new client, new adapters) resumes what the
 * store holds ({@code resumeAll}, or {@code start} again when nothing is stored or the stored release
 * has ended) and drives it to its end. Pauses that wait for a person are promoted, again if a runner
 * died before saving the promotion. What the run went through is kept: every routing write, the writes
 * to the API server, and every object of its namespace as it was at the end.
 */
final class KillMatrix {
  /**
   * Long enough that hours of pauses cost few renewals (each two requests), short against the plans'
   * virtual hours. The new runner starts once the dead one's lease has run out.
   */
  static final Duration LEASE = Duration.ofMinutes(5);
  private static final Duration MATRIX_LIMIT = Duration.ofHours(12);

  /** One seed scenario: its cluster, its plan, its router and the Deployments that must be up before it starts. */
  record Seed(String scenario, Duration podStartup, CanarySpec spec, Function<KubernetesClient, TrafficRouter> router,
      List<String> startsWithAvailable) {
    @Override
    public String toString() {
      return scenario;
    }
  }

  /**
   * What one run left behind and went through; names and paths are those of the seed's namespace, so
   * that runs compare with each other.
   */
  record Run(Seed seed, KillPoint kill, List<RolloutStatus> firstRunnersSaves, RolloutStatus end,
      Optional<RolloutStatus> stored, Journal journal, List<ObservedRequest> writes,
      Map<String, String> objectsAtEnd, boolean died, boolean stableAutoscaled) {}

  private KillMatrix() {}

  /** Every run of {@code kills} on one simulated cluster, in the order given. */
  static List<Run> run(Seed seed, List<KillPoint> kills) {
    try (SimulatedCluster sim = SimulatedCluster.builder().podStartupDelay(seed.podStartup()).build()) {
      String yaml = read(seed.scenario());
      List<Lane> lanes = new ArrayList<>();
      StringBuilder copies = new StringBuilder();
      for (int i = 0; i < kills.size(); i++) {
        Lane lane = new Lane(sim, seed, kills.get(i), seed.spec().namespace() + "-k" + i);
        copies.append(lane.copy(yaml)).append("\n---\n");
        lanes.add(lane);
      }
      List<HasMetadata> created = sim.load(copies.toString());
      for (Lane lane : lanes) {
        lane.seedObjects = created.stream().filter(o -> lane.namespace.equals(o.getMetadata().getNamespace())).toList();
      }
      sim.advanceUntil("every copy's Deployments available", () -> lanes.stream().allMatch(l -> l.seedAvailable()),
          Duration.ofMinutes(5));
      lanes.forEach(Lane::start);
      Instant deadline = sim.scheduler().now().plus(MATRIX_LIMIT);
      while (!lanes.stream().allMatch(Lane::done)) {
        sim.scheduler().runUntil(() -> lanes.stream().anyMatch(Lane::needsAttention),
            Duration.between(sim.scheduler().now(), deadline));
        if (!lanes.stream().anyMatch(Lane::needsAttention)) {
          throw new AssertionError(seed + ": runs still going after " + MATRIX_LIMIT + " of virtual time: "
              + lanes.stream().filter(l -> !l.done()).map(Lane::toString).collect(Collectors.joining("; ")));
        }
        lanes.forEach(Lane::attend);
      }
      List<Run> runs = lanes.stream().map(l -> l.result).toList();
      lanes.forEach(l -> l.processes.forEach(MortalRunner::close));
      return runs;
    }
  }

  private static String read(String scenario) {
    try {
      return Files.readString(Path.of("..", "scenarios", scenario, "cluster.yaml"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean waitsForAPerson(RolloutStatus st) {
    return st.phase() == Phase.PAUSED && st.pauseReason().equals(Optional.of(PauseReason.CanaryPauseStep))
        && st.timers().pauseUntil().isEmpty();
  }

  /** One run: its namespace, its runners one after the other, and what they left. */
  private static final class Lane {
    private final SimulatedCluster sim;
    private final Seed seed;
    private final KillPoint kill;
    private final String namespace;
    private final CanarySpec spec;
    private final Journal journal = Journal.create();
    private List<HasMetadata> seedObjects = List.of();
    private MortalRunner runner;
    /** Every runner process of this run, closed with the matrix (see {@link MortalRunner#stop}). */
    private final List<MortalRunner> processes = new ArrayList<>();
    private RolloutHandle handle;
    private CompletableFuture<RolloutStatus> promoting;
    private Instant resumeAt;
    private List<RolloutStatus> firstSaves = List.of();
    private boolean died;
    private Run result;

    Lane(SimulatedCluster sim, Seed seed, KillPoint kill, String namespace) {
      this.sim = sim;
      this.seed = seed;
      this.kill = kill;
      this.namespace = namespace;
      this.spec = CanarySpec.copyOf(seed.spec()).withNamespace(namespace);
    }

    /** The seed's objects in this run's namespace. */
    String copy(String yaml) {
      return yaml.replaceAll("namespace: " + Pattern.quote(seed.spec().namespace()) + "\\b", "namespace: " + namespace);
    }

    boolean seedAvailable() {
      return seed.startsWithAvailable().stream().allMatch(name -> {
        var d = InCluster.deployment(sim, namespace, name);
        Integer available = d == null || d.getStatus() == null ? null : d.getStatus().getAvailableReplicas();
        return available != null && available.equals(d.getSpec().getReplicas());
      });
    }

    void start() {
      runner = new MortalRunner(sim, "runner-1", namespace, seed.router(), LEASE, kill, journal);
      processes.add(runner);
      handle = runner.runner.start(spec);
    }

    boolean done() {
      return result != null;
    }

    boolean needsAttention() {
      if (result != null) {
        return false;
      }
      if (resumeAt != null) {
        return !sim.scheduler().now().isBefore(resumeAt);
      }
      if (runner.isDead() || (promoting != null && promoting.isDone())) {
        return true;
      }
      RolloutStatus st = handle.status();
      return st.phase().isTerminal() || (promoting == null && waitsForAPerson(st));
    }

    void attend() {
      if (!needsAttention()) {
        return;
      }
      if (resumeAt != null) {
        resume();
        return;
      }
      if (promoting != null && promoting.isDone()) {
        if (!runner.isDead()) {
          assertThat(promoting).as("%s %s: promote()", seed, kill).isCompleted();
        }
        promoting = null;
      }
      if (runner.isDead()) {
        // The process is gone: what is left of it stops driving, and the cluster keeps what it left.
        died = true;
        firstSaves = List.copyOf(runner.saves);
        runner.stop();
        resumeAt = sim.scheduler().now().plus(LEASE).plusSeconds(1);
        sim.scheduler().scheduleAt(resumeAt, () -> {});
        return;
      }
      RolloutStatus st = handle.status();
      if (st.phase().isTerminal()) {
        if (runner.identity.equals("runner-1")) {
          firstSaves = List.copyOf(runner.saves);
        }
        runner.stop();
        result = result(st);
      } else if (promoting == null && waitsForAPerson(st)) {
        promoting = handle.promote();
      }
    }

    /** A new process, with its own client and adapters, takes up what the cluster holds. */
    private void resume() {
      resumeAt = null;
      runner = new MortalRunner(sim, "runner-2", namespace, seed.router(), LEASE, KillPoint.NEVER, journal);
      processes.add(runner);
      List<RolloutHandle> resumed = runner.runner.resumeAll(key -> Optional.of(spec).filter(s -> s.key().equals(key)));
      if (!resumed.isEmpty()) {
        handle = resumed.get(0);
      } else {
        // Nothing the store holds needs a runner; a release whose first status was never saved is
        // started again by the host, as a pipeline re-runs its step.
        assertThat(ConfigMapStateStore.create(sim.client(), namespace).load(spec.key()))
            .as("%s %s: a status resumeAll left alone", seed, kill).isEmpty();
        handle = runner.runner.start(spec);
      }
    }

    private Run result(RolloutStatus end) {
      Optional<RolloutStatus> stored = ConfigMapStateStore.create(sim.client(), namespace).load(spec.key()).map(v -> v.value());
      String inNamespace = "/namespaces/" + namespace + "/";
      List<ObservedRequest> writes = sim.writesUnderTest().stream().filter(w -> w.path().contains(inNamespace))
          .map(w -> new ObservedRequest(w.at(), w.method(), w.path().replace(inNamespace, "/namespaces/" + seed.spec().namespace() + "/"),
              w.body(), w.status(), w.bySimulator()))
          .toList();
      return new Run(seed, kill, firstSaves, end, stored, new Journal(List.copyOf(journal.routing()), List.copyOf(journal.scales()),
          List.copyOf(journal.saves())), writes,
          objects(), died, seedObjects.stream().anyMatch(o -> o instanceof HorizontalPodAutoscaler h
              && h.getSpec().getScaleTargetRef().getName().equals(spec.target().name())));
    }

    /**
     * Every object the rollout could have touched, as the API server holds it at the end: the seed's
     * own (whatever their kind and version), and every Deployment, autoscaler, Service, ConfigMap and
     * Lease of the namespace; keyed by kind and name, without what the server alone writes (versions,
     * uid, times, status), the replicas an autoscaler sets, and the status document's times.
     */
    private Map<String, String> objects() {
      KubernetesClient client = sim.client();
      Map<String, String> objects = new TreeMap<>();
      List<HasMetadata> found = new ArrayList<>();
      for (HasMetadata o : seedObjects) {
        HasMetadata now = client.genericKubernetesResources(o.getApiVersion(), o.getKind())
            .inNamespace(namespace).withName(o.getMetadata().getName()).get();
        if (now == null) {
          objects.put(o.getKind() + " " + o.getMetadata().getName(), "(gone)");
        } else {
          found.add(now);
        }
      }
      found.addAll(client.apps().deployments().inNamespace(namespace).list().getItems());
      List<HorizontalPodAutoscaler> hpas = client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace).list()
          .getItems();
      found.addAll(hpas);
      Set<String> autoscaled = hpas.stream().map(h -> h.getSpec().getScaleTargetRef().getName()).collect(Collectors.toSet());
      found.addAll(client.services().inNamespace(namespace).list().getItems());
      found.addAll(client.configMaps().inNamespace(namespace).list().getItems());
      found.addAll(client.leases().inNamespace(namespace).list().getItems());
      for (HasMetadata o : found) {
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = new TreeMap<>(client.getKubernetesSerialization().convertValue(o, Map.class));
        fields.remove("status");
        fields.remove("apiVersion");
        fields.put("metadata", userMetadata(o.getMetadata()));
        if (o.getKind().equals("Deployment") && autoscaled.contains(o.getMetadata().getName())
            && fields.get("spec") instanceof Map<?, ?> deploymentSpec) {
          Map<Object, Object> withoutReplicas = new LinkedHashMap<>(deploymentSpec);
          withoutReplicas.remove("replicas");
          fields.put("spec", withoutReplicas);
        }
        Map<String, String> labels = o.getMetadata().getLabels();
        if (labels != null && "true".equals(labels.get(CanaryLabels.ROLLOUT_STATE))) {
          fields.put("data", "(the rollout's status)");
        }
        String json = client.getKubernetesSerialization().asJson(fields)
            .replace("\"" + namespace + "\"", "\"" + seed.spec().namespace() + "\"");
        objects.put(o.getKind() + " " + o.getMetadata().getName(), json);
      }
      return objects;
    }

    private static Map<String, Object> userMetadata(ObjectMeta meta) {
      Map<String, Object> kept = new TreeMap<>();
      kept.put("labels", meta.getLabels() == null ? Map.of() : meta.getLabels());
      kept.put("annotations", meta.getAnnotations() == null ? Map.of() : meta.getAnnotations());
      kept.put("ownerReferences", meta.getOwnerReferences() == null ? List.of() : meta.getOwnerReferences().stream()
          .map(r -> r.getKind() + "/" + r.getName()).toList());
      return kept;
    }

    @Override
    public String toString() {
      return kill + " in " + namespace + " (" + (resumeAt != null ? "waiting for the lease to run out"
          : runner.identity + ", " + StepNumbers.position(handle.status()) + " " + handle.status().phase().displayName()) + ")";
    }
  }
}
