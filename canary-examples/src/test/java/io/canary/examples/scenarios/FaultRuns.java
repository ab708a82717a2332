package io.canary.examples.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canary.core.CanarySpec;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutStatus;
import io.canary.core.spi.RetryPolicy;
import io.canary.core.spi.TrafficRouter;
import io.canary.examples.ScenarioPlans;
import io.canary.gatewayapi.GatewayApiTrafficRouter;
import io.canary.istio.IstioTrafficRouter;
import io.canary.testing.FaultInjection;
import io.canary.testing.ObservedRequest;
import io.canary.testing.SimulatedCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One seed scenario, end to end on the simulated cluster with every real adapter (status in
 * ConfigMaps, Lease locks, ConfigMap claims, Kubernetes Events), its runner's client failing a seeded
 * fraction of its requests ({@link FaultInjection}); the cluster's controllers keep a clean client.
 * Pauses that wait for a person are promoted. What the test and the figures look at comes back in a
 * {@link Result}. Run as a program it prints the figures of more seeds (RELIABILITY.md):
 * {@code ./mvnw -B -q -pl canary-examples -am test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.canary.examples.scenarios.FaultRuns -Dexec.args="10"}.
 */
final class FaultRuns {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The kinds of routing object the seed scenarios use. */
  private static final List<ResourceDefinitionContext> ROUTING_KINDS = List.of(
      context("networking.istio.io", "v1", "VirtualService", "virtualservices"),
      context("networking.istio.io", "v1", "DestinationRule", "destinationrules"),
      context("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes"),
      context("", "v1", "Service", "services"));

  /** A seed scenario: its cluster, where it runs, how its stable is waited for, its router and its plan. */
  record Scenario(String name, String namespace, String stableDeployment, Function<KubernetesClient, TrafficRouter> router,
      CanarySpec spec, Duration podStartup) {
    /** Canary workloads the rollout creates: none when the spec names the user's own (helloworld-versions). */
    long canariesCreated() {
      return spec.revision().existingWorkload().isPresent() ? 0 : 1;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static final List<Scenario> SCENARIOS = List.of(
      new Scenario("rollouts-demo-subsets", RolloutsDemoObjects.DEMO_NS, RolloutsDemoObjects.DEMO_DEPLOYMENT,
          IstioTrafficRouter::create, ScenarioPlans.rolloutsDemo(RolloutsDemoObjects.RED), Duration.ofSeconds(10)),
      new Scenario("appA-services", "nsa", "appa", IstioTrafficRouter::create, ScenarioPlans.appA(), Duration.ofSeconds(5)),
      new Scenario("imesh-services", "deb-ns", "imesh-rollout", IstioTrafficRouter::create, ScenarioPlans.imesh(),
          Duration.ofSeconds(5)),
      new Scenario("helloworld-versions", "default", null,
          client -> IstioTrafficRouter.builder(client).addMissingCanaryDestinations(true).build(), ScenarioPlans.helloworld(),
          Duration.ofSeconds(5)),
      new Scenario("appA-gateway-api", "nsa", "appa", GatewayApiTrafficRouter::create,
          ScenarioPlans.appAGatewayApi("example/appa:1.1.0"), Duration.ofSeconds(5)));

  /**
   * What one run ended with.
   *
   * @param routingBefore the routing objects' specs before the rollout, by kind/name
   * @param routingAfter the same after it ended
   * @param badWeightWrites routing writes whose weights of one route or rule do not sum to 100
   * @param canaryCreations canary workloads created (successful POSTs of Deployments by the runner)
   * @param deploymentsLeft Deployments of the namespace at the end that the seed did not have
   * @param retries waits the runner's retry policy gave (each a call tried again)
   */
  record Result(Scenario scenario, double rate, long seed, RolloutStatus end, Map<String, JsonNode> routingBefore,
      Map<String, JsonNode> routingAfter, List<String> badWeightWrites, long routingWrites, long canaryCreations,
      List<String> deploymentsLeft, long requests, Map<FaultInjection.Fault, Long> injected, long retries, long wallMillis,
      Duration virtualTime) {
    long injectedTotal() {
      return injected.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private FaultRuns() {}

  static Result run(Scenario scenario, double rate, long seed) {
    long startedAt = System.nanoTime();
    try (SimulatedCluster sim = SimulatedCluster.builder().podStartupDelay(scenario.podStartup()).build();
        FaultInjection faults = FaultInjection.builder().seed(seed).rate(rate).build()) {
      sim.loadScenario(scenario.name());
      if (scenario.stableDeployment() != null) {
        InCluster.untilAvailable(sim, scenario.namespace(), scenario.stableDeployment());
      }
      List<String> seedDeployments = deployments(sim, scenario.namespace());
      Map<String, JsonNode> before = routing(sim, scenario.namespace());
      Instant start = sim.scheduler().now();
      int requestsBefore = sim.requests().size();
      KubernetesClient client = sim.newClient(faults);
      TrafficRouter router = scenario.router().apply(client);
      RolloutStatus end;
      RetryPolicy seeded = RetryPolicy.exponential().seed(seed).build();
      AtomicLong retries = new AtomicLong();
      RetryPolicy counting = (failed, hint) -> {
        Optional<Duration> wait = seeded.delay(failed, hint);
        wait.ifPresent(w -> retries.incrementAndGet());
        return wait;
      };
      try (RunnerOnSimulation runner = RunnerOnSimulation.on(sim, client, scenario.namespace(), c -> router, counting)) {
        end = driveToTheEnd(sim, runner.start(scenario.spec()));
      } finally {
        if (router instanceof AutoCloseable closeable) {
          closeQuietly(closeable);
        }
      }
      List<ObservedRequest> writes = sim.requests().subList(requestsBefore, sim.requests().size()).stream()
          .filter(r -> r.isWriteUnderTest() && r.status() < 300).toList();
      List<String> bad = new ArrayList<>();
      long routingWrites = 0;
      for (ObservedRequest w : writes) {
        if (isRoutingWrite(w)) {
          routingWrites++;
          weightProblem(w).ifPresent(bad::add);
        }
      }
      long canaries = writes.stream().filter(w -> w.method().equals("POST") && w.path().contains("/deployments")).count();
      List<String> left = new ArrayList<>(deployments(sim, scenario.namespace()));
      left.removeAll(seedDeployments);
      return new Result(scenario, rate, seed, end, before, routing(sim, scenario.namespace()), bad, routingWrites, canaries,
          left, faults.requests(), faults.injected(), retries.get(), (System.nanoTime() - startedAt) / 1_000_000,
          Duration.between(start, sim.scheduler().now()));
    }
  }

  /** Runs the rollout to its end, promoting each pause that waits for a person (again, if a control failed). */
  private static RolloutStatus driveToTheEnd(SimulatedCluster sim, RolloutHandle rollout) {
    Instant deadline = sim.scheduler().now().plus(Duration.ofHours(6));
    while (sim.scheduler().now().isBefore(deadline)) {
      RolloutStatus st = rollout.await(s -> s.phase().isTerminal() || s.phase() == Phase.PAUSED, Duration.ofHours(6));
      if (st.phase().isTerminal()) {
        return st;
      }
      rollout.promote();
      sim.advance(Duration.ofSeconds(1));
    }
    return rollout.status();
  }

  private static boolean isRoutingWrite(ObservedRequest w) {
    return (w.method().equals("PUT") || w.method().equals("POST"))
        && (w.path().contains("/virtualservices/") || w.path().contains("/httproutes/") || w.path().contains("/grpcroutes/"));
  }

  /** Every route (VirtualService) or rule (HTTPRoute) written with destinations carries weights summing to 100. */
  static java.util.Optional<String> weightProblem(ObservedRequest w) {
    JsonNode body;
    try {
      body = JSON.readTree(w.body());
    } catch (Exception e) {
      return java.util.Optional.of(w + ": body is not JSON");
    }
    JsonNode spec = body.path("spec");
    List<JsonNode> groups = new ArrayList<>();
    for (String kind : List.of("http", "tcp", "tls")) {
      spec.path(kind).forEach(route -> groups.add(route.path("route")));
    }
    spec.path("rules").forEach(rule -> groups.add(rule.path("backendRefs")));
    for (JsonNode destinations : groups) {
      if (!destinations.isArray() || destinations.isEmpty()) {
        continue;
      }
      int sum = 0;
      for (JsonNode d : destinations) {
        sum += d.has("weight") ? d.get("weight").asInt() : (destinations.size() == 1 ? 100 : 0);
      }
      if (sum != 100) {
        return java.util.Optional.of(w.method() + " " + w.path() + " at " + w.at() + ": weights sum to " + sum + " in " + destinations);
      }
    }
    return java.util.Optional.empty();
  }

  private static Map<String, JsonNode> routing(SimulatedCluster sim, String namespace) {
    Map<String, JsonNode> specs = new TreeMap<>();
    for (ResourceDefinitionContext kind : ROUTING_KINDS) {
      for (GenericKubernetesResource r : sim.client().genericKubernetesResources(kind).inNamespace(namespace).list().getItems()) {
        specs.put(kind.getKind() + " " + r.getMetadata().getName(), JSON.valueToTree(r.getAdditionalProperties().get("spec")));
      }
    }
    return specs;
  }

  private static List<String> deployments(SimulatedCluster sim, String namespace) {
    return sim.client().apps().deployments().inNamespace(namespace).list().getItems().stream()
        .map(d -> d.getMetadata().getName()).sorted().toList();
  }

  private static ResourceDefinitionContext context(String group, String version, String kind, String plural) {
    return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind).withPlural(plural)
        .withNamespaced(true).build();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Prints the figures of {@code args[0]} seeds (default 10) per scenario at 5 % and 20 %. */
  public static void main(String[] args) {
    int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    System.out.printf(Locale.ROOT, "%-22s %5s %5s %-10s %8s %7s %8s %s%n", "scenario", "rate", "seed", "end", "requests",
        "faults", "retries", "wall ms / virtual time");
    for (double rate : new double[] {0.05, 0.20}) {
      long runs = 0;
      long intact = 0;
      long requests = 0;
      long retries = 0;
      long wall = 0;
      Map<FaultInjection.Fault, Long> byKind = new java.util.EnumMap<>(FaultInjection.Fault.class);
      for (Scenario scenario : SCENARIOS) {
        for (long seed = 1; seed <= seeds; seed++) {
          Result r = run(scenario, rate, seed);
          boolean ok = r.end().phase() == Phase.SUCCEEDED && r.routingAfter().equals(r.routingBefore())
              && r.badWeightWrites().isEmpty() && r.canaryCreations() == scenario.canariesCreated()
              && r.deploymentsLeft().isEmpty();
          System.out.printf(Locale.ROOT, "%-22s %4.0f%% %5d %-10s %8d %7d %8d %d / %s%s%n", scenario, rate * 100, seed,
              r.end().phase().displayName(), r.requests(), r.injectedTotal(), r.retries(), r.wallMillis(), r.virtualTime(),
              ok ? "" : "  NOT INTACT: " + r);
          runs++;
          intact += ok ? 1 : 0;
          requests += r.requests();
          retries += r.retries();
          wall += r.wallMillis();
          r.injected().forEach((kind, n) -> byKind.merge(kind, n, Long::sum));
        }
      }
      System.out.printf(Locale.ROOT, "%4.0f%%: %d rollouts, %d succeeded with the routing objects intact; %d requests, faults %s"
          + " (%d), %d retries; %d ms of wall time%n", rate * 100, runs, intact, requests, byKind,
          byKind.values().stream().mapToLong(Long::longValue).sum(), retries, wall);
    }
  }
}
