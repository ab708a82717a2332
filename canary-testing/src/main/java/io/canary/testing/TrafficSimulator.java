package io.canary.testing;

import io.canary.core.CanarySpec;
import io.canary.core.Revision;
import io.canary.core.spi.MetricSource;
import io.canary.core.spi.TrafficSample;
import io.canary.testing.internal.Labels;
import io.canary.testing.internal.PodGroup;
import io.canary.testing.internal.PodGroups;
import io.canary.testing.internal.Router;
import io.canary.testing.internal.Router.Routing;
import io.canary.testing.internal.TrafficLedger;
import io.canary.testing.internal.TrafficLedger.Bucket;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Users sending requests through the simulated mesh. On every tick each {@link TrafficFlow}'s
 * requests are routed, in aggregate, by the VirtualServices, DestinationRules and Services the API
 * server holds, spread over the Ready pods, and answered by each revision's {@link Behaviour}.
 * The outcome feeds {@link #metricSource()} (for analysis), the HPA controller's CPU figures and
 * the {@link Timeline}. Reached through {@link SimulatedCluster#traffic()}.
 */
public final class TrafficSimulator {
  private record Rule(PodMatcher matcher, Behaviour behaviour) {}

  private record CachedRouting(long stateVersion, long flowVersion, List<Routing> perSegment) {}

  private final PodGroups groups;
  private final Router router;
  private final TrafficLedger ledger = new TrafficLedger();
  private final Duration cpuWindow;
  private final Map<String, TrafficFlow> flows = new LinkedHashMap<>();
  private final Map<String, CachedRouting> routings = new HashMap<>();
  private final Map<String, List<Map.Entry<Instant, FlowStats>>> flowHistory = new HashMap<>();
  private final List<Rule> rules = new ArrayList<>();
  private static final double[] NO_LOAD = new double[2];
  private final Map<String, FlowCounters> flowCounters = new HashMap<>();
  private final Map<String, FlowCounters> groupCounters = new HashMap<>();
  private Behaviour fallback = Behaviour.healthy();

  TrafficSimulator(PodGroups groups, Router router, Duration cpuWindow) {
    this.groups = groups;
    this.router = router;
    this.cpuWindow = cpuWindow;
  }

  /** The flow called {@code name}, made on first use (rate 0, host {@code name} in {@code default}). */
  public synchronized TrafficFlow flow(String name) {
    return flows.computeIfAbsent(name, TrafficFlow::new);
  }

  /** From now on, pods {@code matcher} picks answer with {@code behaviour} (the latest rule wins). */
  public synchronized TrafficSimulator behaviour(PodMatcher matcher, Behaviour behaviour) {
    rules.add(0, new Rule(matcher, behaviour));
    return this;
  }

  /** How pods no rule picks answer; {@link Behaviour#healthy()} unless set. */
  public synchronized TrafficSimulator defaultBehaviour(Behaviour behaviour) {
    this.fallback = behaviour;
    return this;
  }

  /**
   * Request figures for analysis: the pods of {@code revision.workload()} (in the spec's namespace)
   * that carry all of {@code revision.podLabels()}.
   */
  public MetricSource metricSource() {
    return this::sample;
  }

  /** What the pods of {@code revision} served over {@code (from, to]}. */
  public TrafficSample sample(CanarySpec spec, Revision revision, Instant from, Instant to) {
    return ledger.sample(g -> g.namespace().equals(spec.namespace()) && g.workload().equals(revision.workload())
        && Labels.containsAll(g.labels(), revision.podLabels()), from, to);
  }

  /** What the pods running {@code image} served over {@code (from, to]}. */
  public TrafficSample sampleByImage(String image, Instant from, Instant to) {
    return ledger.sample(g -> g.images().contains(image), from, to);
  }

  /** What the users of a flow saw over {@code (from, to]}. */
  public synchronized FlowStats flowStats(String flow, Instant from, Instant to) {
    FlowStats sum = FlowStats.EMPTY;
    for (Map.Entry<Instant, FlowStats> e : flowHistory.getOrDefault(flow, List.of())) {
      if (e.getKey().isAfter(from) && !e.getKey().isAfter(to)) {
        sum = sum.plus(e.getValue());
      }
    }
    return sum;
  }

  /** Requests, errors and mirrored copies one pod group (by key {@code namespace/name}) had. */
  long[] groupTotals(String groupKey, Instant from, Instant to) {
    return ledger.totals(groupKey, from, to);
  }

  /**
   * The CPU of a pod as a metrics server reports it: the average, over the last window, of what
   * each pod of its group used, counted from when this pod became ready.
   */
  synchronized double cpuMillicores(Pod pod, Instant now) {
    Instant windowStart = now.minus(cpuWindow);
    Instant from = Labels.readySince(pod).filter(r -> r.isAfter(windowStart)).orElse(windowStart);
    return groups.ofPod(pod)
        .map(g -> ledger.cpuPerPod(g.key(), from, now, behaviourOf(g).idleCpuMillicores()))
        .orElse(0.0);
  }

  Behaviour behaviourOf(PodGroup group) {
    for (Rule r : rules) {
      if (r.matcher().matches(group)) {
        return r.behaviour();
      }
    }
    return fallback;
  }

  /** Sends the requests of {@code length} ending at {@code now}. */
  synchronized void tick(Instant now, Duration length) {
    double seconds = length.toNanos() / 1e9;
    Map<String, double[]> perGroup = new HashMap<>(); // served, mirrored
    for (TrafficFlow flow : flows.values()) {
      double total = flow.rate() * seconds;
      if (total == 0) {
        continue;
      }
      List<Routing> segments = routing(flow);
      List<UserGroup> users = flow.users();
      double[] sums = new double[FlowCounters.SIZE];
      double anonymous = 1 - users.stream().mapToDouble(UserGroup::share).sum();
      for (int i = 0; i < segments.size(); i++) {
        double requests = total * (i < users.size() ? users.get(i).share() : anonymous);
        Routing r = segments.get(i);
        for (Map.Entry<String, Double> e : r.served().entrySet()) {
          double n = requests * e.getValue();
          perGroup.computeIfAbsent(e.getKey(), k -> new double[2])[0] += n;
          sums[FlowCounters.ERRORS] += n * behaviourOf(groups.all().get(e.getKey())).errorRate();
        }
        for (Map.Entry<String, Double> e : r.mirrored().entrySet()) {
          double n = requests * e.getValue();
          perGroup.computeIfAbsent(e.getKey(), k -> new double[2])[1] += n;
          sums[FlowCounters.MIRRORED] += n;
        }
        sums[FlowCounters.UNAVAILABLE] += requests * r.unavailable();
        sums[FlowCounters.NOT_ROUTED] += requests * r.notRouted();
      }
      sums[FlowCounters.SENT] = total;
      long[] whole = flowCounters.computeIfAbsent(flow.name(), k -> new FlowCounters()).whole(sums);
      FlowStats stats = new FlowStats(whole[FlowCounters.SENT],
          whole[FlowCounters.ERRORS] + whole[FlowCounters.UNAVAILABLE], whole[FlowCounters.UNAVAILABLE],
          whole[FlowCounters.NOT_ROUTED], whole[FlowCounters.MIRRORED]);
      flowHistory.computeIfAbsent(flow.name(), k -> new ArrayList<>()).add(Map.entry(now, stats));
    }
    for (PodGroup g : groups.all().values()) {
      double[] load = perGroup.getOrDefault(g.key(), NO_LOAD);
      if (g.readyPods() == 0 && load[0] == 0 && load[1] == 0) {
        continue;
      }
      Behaviour b = behaviourOf(g);
      long[] whole = groupCounters.computeIfAbsent(g.key(), k -> new FlowCounters())
          .whole(new double[] {load[0], load[0] * b.errorRate(), load[1], 0, 0});
      double perPodRate = g.readyPods() == 0 ? 0 : (load[0] + load[1]) / seconds / g.readyPods();
      ledger.record(g, new Bucket(now, whole[0], whole[1], whole[2], b.latencyP99().toNanos() / 1e6, g.readyPods(),
          b.idleCpuMillicores() + perPodRate * b.cpuMillicoresPerRequest()));
    }
  }

  /** Whole counts out of fractional amounts, the rest carried to the next tick so nothing is lost. */
  private static final class FlowCounters {
    static final int SENT = 0;
    static final int ERRORS = 1;
    static final int MIRRORED = 2;
    static final int UNAVAILABLE = 3;
    static final int NOT_ROUTED = 4;
    static final int SIZE = 5;
    private final double[] carry = new double[SIZE];

    long[] whole(double[] amounts) {
      long[] out = new long[SIZE];
      for (int i = 0; i < SIZE; i++) {
        double exact = carry[i] + amounts[i];
        out[i] = (long) Math.floor(exact + 1e-9);
        carry[i] = exact - out[i];
      }
      return out;
    }
  }

  /** One routing per user group, then one for the users without headers; rebuilt when anything changed. */
  private List<Routing> routing(TrafficFlow flow) {
    CachedRouting cached = routings.get(flow.name());
    if (cached != null && cached.stateVersion() == groups.version() && cached.flowVersion() == flow.version()) {
      return cached.perSegment();
    }
    List<Routing> perSegment = new ArrayList<>();
    String gateway = flow.gateway().orElse(null);
    for (UserGroup u : flow.users()) {
      perSegment.add(router.route(flow.namespace(), flow.host(), gateway, flow.uri(), u.headers()));
    }
    perSegment.add(router.route(flow.namespace(), flow.host(), gateway, flow.uri(), Map.of()));
    routings.put(flow.name(), new CachedRouting(groups.version(), flow.version(), perSegment));
    return perSegment;
  }
}
