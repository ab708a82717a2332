package io.canary.examples.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanarySpec;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.spi.TrafficRouter;
import io.canary.examples.ScenarioPlans;
import io.canary.gatewayapi.GatewayApiTrafficRouter;
import io.canary.istio.IstioTrafficRouter;
import io.canary.kubernetes.CanaryLabels;
import io.canary.testing.ObservedRequest;
import io.canary.testing.SimulatedCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped Role (canary-kubernetes' rbac/canary-runner-role.yaml) against what the adapters ask of
 * the API server: every seed scenario runs with every real adapter (routers, workloads, autoscalers,
 * status and claims in ConfigMaps, leases, events) through start, its steps, promotions, and, on
 * rollouts-demo, a runner that stops and another that resumes everything, undo and abort. Each request
 * the code under test sent is named as the API server's authorizer names it (group, resource, verb) and
 * the two sets are compared both ways: every access used is granted, every access granted is used or
 * listed below with the reason the scenarios do not show it. Every write also carries the SDK's field
 * manager, and once the rollouts ended no Lease or target claim is left, only the ended status.
 */
class LeastPrivilegeTest {
  static final String ROLE = "rbac/canary-runner-role.yaml";

  /** Granted although the seed scenarios do not use it, and why. */
  static final Map<Access, String> GRANTED_FOR_PATHS_THE_SCENARIOS_DO_NOT_TAKE = Map.of(
      new Access("autoscaling", "horizontalpodautoscalers", "get"),
      "canary-hpa reads an autoscaler again only after a write met someone else's edit (409)",
      new Access("", "events", "patch"),
      "KubernetesEventRecorder raises the count of an Event repeated at once (same reason and message)",
      new Access("gateway.networking.k8s.io", "referencegrants", "list"),
      "GatewayApiTrafficRouter checks a ReferenceGrant for a backendRef into another namespace (no seed route has one)",
      new Access("gateway.networking.k8s.io", "httproutes", "get"),
      "GatewayApiTrafficRouter reads routes from its informers; it GETs one only after a write met someone else's edit (409)",
      new Access("gateway.networking.k8s.io", "grpcroutes", "get"), "GatewayApiStrategy over a GRPCRoute (RouteRef.grpc)",
      new Access("gateway.networking.k8s.io", "grpcroutes", "list"), "GatewayApiStrategy over a GRPCRoute (RouteRef.grpc)",
      new Access("gateway.networking.k8s.io", "grpcroutes", "watch"), "GatewayApiStrategy over a GRPCRoute (RouteRef.grpc)",
      new Access("gateway.networking.k8s.io", "grpcroutes", "update"), "GatewayApiStrategy over a GRPCRoute (RouteRef.grpc)");

  record Access(String group, String resource, String verb) implements Comparable<Access> {
    @Override
    public int compareTo(Access o) {
      return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
      return (group.isEmpty() ? "core" : group) + " " + resource + " " + verb;
    }
  }

  /** What each seed scenario's code under test sent, and what it left, run once for every test here. */
  record Run(String scenario, List<ObservedRequest> sent, List<String> leftOver) {}

  private static final List<Run> RUNS = new ArrayList<>();

  @BeforeAll
  static void runTheSeedScenarios() {
    for (String scenario : ScenarioPlans.names()) {
      RUNS.add(run(scenario));
    }
  }

  @Test
  void theRoleGrantsWhatTheAdaptersUseInTheSeedScenariosAndNothingElse() throws IOException {
    Map<Access, Set<String>> used = new TreeMap<>();
    List<String> clusterScoped = new ArrayList<>();
    for (Run run : RUNS) {
      for (ObservedRequest r : run.sent()) {
        URI uri = URI.create(r.path());
        accessOf(r.method(), uri).ifPresent(a -> {
          used.computeIfAbsent(a, k -> new TreeSet<>()).add(run.scenario());
          if (!uri.getPath().contains("/namespaces/")) {
            clusterScoped.add(run.scenario() + ": " + r);
          }
        });
      }
    }
    Set<Access> granted = granted(role());

    assertThat(clusterScoped).as("requests a namespaced Role cannot grant").isEmpty();
    assertThat(new TreeSet<>(used.keySet())).as("used by the adapters (with the scenarios using them: %s) but not granted by %s",
        used, ROLE).isSubsetOf(granted);
    Set<Access> unused = new TreeSet<>(granted);
    unused.removeAll(used.keySet());
    assertThat(unused).as("granted by %s but used by no scenario (%s), nor listed with a reason", ROLE, used)
        .isSubsetOf(GRANTED_FOR_PATHS_THE_SCENARIOS_DO_NOT_TAKE.keySet());
    // A listed access may be used in a run (a conflict that makes canary-hpa read an autoscaler again).
    assertThat(GRANTED_FOR_PATHS_THE_SCENARIOS_DO_NOT_TAKE.keySet()).as("listed as granted by %s", ROLE).isSubsetOf(granted);
  }

  @Test
  void everyWriteOfEveryAdapterCarriesTheSdksFieldManager() {
    List<String> withoutFieldManager = new ArrayList<>();
    Set<String> written = new TreeSet<>();
    for (Run run : RUNS) {
      for (ObservedRequest r : run.sent()) {
        URI uri = URI.create(r.path());
        if (r.isWrite() && !r.method().equals("DELETE")) {
          accessOf(r.method(), uri).ifPresent(a -> written.add(a.resource()));
          if (!Set.of(String.valueOf(uri.getRawQuery()).split("&")).contains("fieldManager=canary-sdk")) {
            withoutFieldManager.add(run.scenario() + ": " + r);
          }
        }
      }
    }

    assertThat(written).as("what the adapters wrote: routers, workloads, autoscalers, status and claims, leases, events")
        .contains("virtualservices", "destinationrules", "services", "httproutes", "deployments", "horizontalpodautoscalers",
            "configmaps", "leases", "events");
    assertThat(withoutFieldManager).as("writes without fieldManager=canary-sdk").isEmpty();
  }

  @Test
  void onceTheRolloutsEndedNoLeaseOrClaimIsLeftOnlyTheEndedStatus() {
    assertThat(RUNS).allSatisfy(run -> assertThat(run.leftOver()).as(run.scenario()).isEmpty());
  }

  /** The requests the code under test sent while the scenario's rollouts ran, after the seed was up. */
  private static Run run(String scenario) {
    CanarySpec spec = ScenarioPlans.of(scenario);
    try (SimulatedCluster sim = SimulatedCluster.builder().build()) {
      List<HasMetadata> seed = sim.loadScenario(scenario);
      seed.stream().filter(Deployment.class::isInstance)
          .forEach(d -> InCluster.untilAvailable(sim, spec.namespace(), d.getMetadata().getName()));
      int from = sim.requests().size();
      Function<KubernetesClient, TrafficRouter> routers = client -> switch (scenario) {
        case "appA-gateway-api" -> GatewayApiTrafficRouter.create(client);
        case "helloworld-versions" -> IstioTrafficRouter.builder(client).addMissingCanaryDestinations(true).build();
        default -> IstioTrafficRouter.create(client);
      };
      if (scenario.equals("rollouts-demo-subsets")) {
        startStopResumeUndoAbort(sim, spec, routers);
      } else {
        runToTheEnd(sim, spec, routers);
      }
      List<ObservedRequest> sent = sim.requests().subList(from, sim.requests().size()).stream()
          .filter(r -> !r.bySimulator()).toList();
      List<String> leftOver = new ArrayList<>();
      sim.client().leases().inNamespace(spec.namespace()).list().getItems()
          .forEach(l -> leftOver.add("Lease " + l.getMetadata().getName()));
      sim.client().configMaps().inNamespace(spec.namespace()).withLabel(CanaryLabels.TARGET_CLAIM).list().getItems()
          .forEach(c -> leftOver.add("claim ConfigMap " + c.getMetadata().getName()));
      int statuses = sim.client().configMaps().inNamespace(spec.namespace()).withLabel(CanaryLabels.ROLLOUT_STATE, "true")
          .list().getItems().size();
      if (statuses != 1) {
        leftOver.add(statuses + " status ConfigMaps, not the ended rollout's one");
      }
      return new Run(scenario, sent, leftOver);
    }
  }

  private static void runToTheEnd(SimulatedCluster sim, CanarySpec spec, Function<KubernetesClient, TrafficRouter> routers) {
    TrafficRouter router = routers.apply(sim.client());
    try (RunnerOnSimulation canary = RunnerOnSimulation.on(sim, sim.client(), spec.namespace(), client -> router)) {
      RolloutHandle rollout = canary.start(spec);
      assertThat(promoteEveryPause(rollout)).as(rollout.describe()).isEqualTo(Phase.SUCCEEDED);
    } finally {
      close(router);
    }
  }

  /** Start, a runner that stops mid-rollout, another that resumes everything, promotion, undo, abort. */
  private static void startStopResumeUndoAbort(SimulatedCluster sim, CanarySpec spec,
      Function<KubernetesClient, TrafficRouter> routers) {
    TrafficRouter first = routers.apply(sim.client());
    try (RunnerOnSimulation canary = RunnerOnSimulation.on(sim, sim.client(), spec.namespace(), client -> first)) {
      canary.start(spec).await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));
    } finally {
      close(first);
    }
    KubernetesClient another = sim.newClient();
    TrafficRouter second = routers.apply(another);
    try (RunnerOnSimulation canary = RunnerOnSimulation.on(sim, another, spec.namespace(), client -> second)) {
      List<RolloutHandle> resumed = canary.runner.resumeAll(key -> key.equals(spec.key()) ? java.util.Optional.of(spec)
          : java.util.Optional.empty());
      assertThat(resumed).hasSize(1);
      assertThat(promoteEveryPause(resumed.get(0))).isEqualTo(Phase.SUCCEEDED);

      var undo = resumed.get(0).undo();
      sim.scheduler().runDue();
      RolloutHandle back = undo.get(5, TimeUnit.SECONDS);
      back.await(s -> s.phase() == Phase.PAUSED, Duration.ofMinutes(10));
      back.abort();
      assertThat(back.await(Duration.ofHours(1)).phase()).as(back.describe()).isEqualTo(Phase.ABORTED);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      close(second);
    }
  }

  private static Phase promoteEveryPause(RolloutHandle rollout) {
    var status = rollout.status();
    for (int promotions = 0; !status.phase().isTerminal() && promotions < 10; promotions++) {
      status = rollout.await(s -> s.phase() == Phase.PAUSED || s.phase().isTerminal(), Duration.ofHours(2));
      if (status.phase() == Phase.PAUSED) {
        rollout.promote();
      }
    }
    return status.phase();
  }

  private static void close(TrafficRouter router) {
    if (router instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static Role role() throws IOException {
    try (InputStream in = LeastPrivilegeTest.class.getClassLoader().getResourceAsStream(ROLE)) {
      assertThat(in).as(ROLE + " on the classpath (canary-kubernetes' resources)").isNotNull();
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return Serialization.unmarshal(yaml.split("(?m)^---$")[0], Role.class);
    }
  }

  private static Set<Access> granted(Role role) {
    Set<Access> granted = new TreeSet<>();
    for (PolicyRule rule : role.getRules()) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            granted.add(new Access(group, resource, verb));
          }
        }
      }
    }
    return granted;
  }

  /**
   * How the API server's authorizer names a request: GET on a collection is list, with watch=true it
   * is watch. Discovery ({@code /apis}, {@code /api/v1}: no resource) needs no Role.
   */
  static java.util.Optional<Access> accessOf(String method, URI uri) {
    List<String> parts = new ArrayList<>(List.of(uri.getPath().substring(1).split("/")));
    int version = parts.get(0).equals("api") ? 2 : 3;
    if (parts.size() <= version) {
      return java.util.Optional.empty();
    }
    String group = parts.get(0).equals("api") ? "" : parts.get(1);
    parts = parts.subList(version, parts.size());
    if (parts.size() >= 2 && parts.get(0).equals("namespaces")) {
      parts = parts.subList(2, parts.size());
    }
    String resource = parts.get(0) + (parts.size() > 2 ? "/" + parts.get(2) : "");
    boolean named = parts.size() > 1;
    Set<String> query = Set.of(String.valueOf(uri.getRawQuery()).split("&"));
    String verb = switch (method) {
      case "GET" -> named ? "get" : query.contains("watch=true") ? "watch" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> named ? "delete" : "deletecollection";
      default -> method.toLowerCase(java.util.Locale.ROOT);
    };
    return java.util.Optional.of(new Access(group, resource, verb));
  }
}
