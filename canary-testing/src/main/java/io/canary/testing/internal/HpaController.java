package io.canary.testing.internal;

import io.canary.testing.internal.ClusterState.Kind;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatusBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The horizontal pod autoscaler for autoscaling/v2 HPAs with a Resource cpu Utilization target on a
 * Deployment: every sync it reads the CPU of the pods the Deployment's selector picks, computes the
 * replicas with {@link HpaAlgorithm}, writes the Deployment's replicas when they change and the HPA
 * status when it changes.
 */
public final class HpaController {
  /** The CPU a pod uses now, in millicores, as a metrics server would report it. */
  @FunctionalInterface
  public interface CpuUsage {
    double millicores(Pod pod, Instant now);
  }

  private static final java.time.Duration CPU_INITIALIZATION_PERIOD = java.time.Duration.ofMinutes(5);
  private static final Logger LOG = LoggerFactory.getLogger(HpaController.class);

  private final ClusterState state;
  private final KubernetesClient client;
  private final Supplier<Instant> clock;
  private final CpuUsage cpu;
  private final java.time.Duration metricsWindow;
  private final Map<String, HpaAlgorithm> algorithms = new HashMap<>();
  private final Map<String, Integer> lastDesired = new HashMap<>();

  public HpaController(ClusterState state, KubernetesClient client, Supplier<Instant> clock, CpuUsage cpu,
      java.time.Duration metricsWindow) {
    this.metricsWindow = metricsWindow;
    this.state = state;
    this.client = client;
    this.clock = clock;
    this.cpu = cpu;
  }

  /** The replicas each HPA ({@code namespace/name}) asked for at its last sync. */
  public Map<String, Integer> desiredReplicas() {
    return Map.copyOf(lastDesired);
  }

  public void sync() {
    Instant now = clock.get();
    List<HorizontalPodAutoscaler> hpas = new java.util.ArrayList<>(state.<HorizontalPodAutoscaler>all(Kind.HPA));
    hpas.sort(java.util.Comparator.comparing(h -> key(h)));
    for (HorizontalPodAutoscaler hpa : hpas) {
      sync(hpa, now);
    }
    lastDesired.keySet().removeIf(k -> hpas.stream().noneMatch(h -> key(h).equals(k)));
  }

  private void sync(HorizontalPodAutoscaler hpa, Instant now) {
    String ns = hpa.getMetadata().getNamespace();
    String target = hpa.getSpec().getScaleTargetRef().getName();
    if (!"Deployment".equals(hpa.getSpec().getScaleTargetRef().getKind())) {
      return;
    }
    Optional<Deployment> found = state.get(Kind.DEPLOYMENT, ns, target);
    Optional<Integer> utilizationTarget = cpuUtilizationTarget(hpa);
    if (found.isEmpty() || utilizationTarget.isEmpty()) {
      return;
    }
    Deployment d = found.get();
    int current = Optional.ofNullable(d.getSpec().getReplicas()).orElse(1);
    if (current == 0) {
      return; // Kubernetes: scaling is disabled while the target has zero replicas
    }
    int min = Optional.ofNullable(hpa.getSpec().getMinReplicas()).orElse(1);
    int max = hpa.getSpec().getMaxReplicas();

    int readyPods = 0;
    int unreadyPods = 0;
    double readyUsage = 0;
    double readyRequests = 0;
    double unreadyRequests = 0;
    for (Pod p : state.<Pod>inNamespace(Kind.POD, ns)) {
      if (!Labels.matches(d.getSpec().getSelector(), Labels.of(p))) {
        continue;
      }
      double request = cpuRequestMillis(p);
      if (request <= 0) {
        LOG.warn("HPA {}: pod {} has no cpu request; utilization cannot be computed", key(hpa),
            p.getMetadata().getName());
        return;
      }
      if (countsAsReady(p, now)) {
        readyPods++;
        readyRequests += request;
        readyUsage += cpu.millicores(p, now);
      } else {
        unreadyPods++;
        unreadyRequests += request;
      }
    }
    int desired;
    if (current > max) {
      desired = max;
    } else if (current < min) {
      desired = min;
    } else {
      int proposal = HpaAlgorithm.proposal(current, readyPods, unreadyPods, readyUsage, readyRequests,
          unreadyRequests, utilizationTarget.get());
      desired = algorithms.computeIfAbsent(key(hpa), k -> new HpaAlgorithm())
          .normalize(now, current, proposal, min, max, hpa.getSpec().getBehavior());
    }
    lastDesired.put(key(hpa), desired);
    if (desired != current) {
      Deployment scaled = client.apps().deployments().inNamespace(ns).withName(target)
          .patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":" + desired + "}]");
      state.put(scaled);
    }
    Integer utilization = readyRequests > 0 ? (int) Math.round(readyUsage / readyRequests * 100) : null;
    writeStatus(hpa, current, desired, utilization, readyPods == 0 ? null : readyUsage / readyPods,
        desired != current ? now : null);
  }

  private void writeStatus(HorizontalPodAutoscaler hpa, int current, int desired, Integer utilization,
      Double averageMillis, Instant scaledAt) {
    HorizontalPodAutoscalerStatusBuilder b = new HorizontalPodAutoscalerStatusBuilder()
        .withCurrentReplicas(current)
        .withDesiredReplicas(desired)
        .withObservedGeneration(hpa.getMetadata().getGeneration())
        .withLastScaleTime(scaledAt != null ? scaledAt.toString()
            : hpa.getStatus() == null ? null : hpa.getStatus().getLastScaleTime());
    if (utilization != null) {
      b.withCurrentMetrics(new MetricStatusBuilder().withType("Resource").withNewResource().withName("cpu")
          .withNewCurrent().withAverageUtilization(utilization)
          .withAverageValue(new Quantity(BigDecimal.valueOf(Math.round(averageMillis)).toPlainString() + "m"))
          .endCurrent().endResource().build());
    }
    HorizontalPodAutoscalerStatus status = b.build();
    if (status.equals(hpa.getStatus())) {
      return;
    }
    HorizontalPodAutoscaler withStatus = new HorizontalPodAutoscalerBuilder(hpa).withStatus(status).build();
    try {
      state.put(client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(hpa.getMetadata().getNamespace())
          .resource(withStatus).updateStatus());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      state.markDirty(hpa); // someone changed the HPA meanwhile: the next sync works from it
    }
  }

  /**
   * Kubernetes' rule for CPU: during a pod's first five minutes, it counts as ready only once its
   * whole metrics window lies after it became ready; otherwise a pod counts when it is Ready.
   */
  private boolean countsAsReady(Pod p, Instant now) {
    Optional<Instant> readySince = Labels.readySince(p);
    if (readySince.isEmpty()) {
      return false;
    }
    Instant started = p.getStatus().getStartTime() == null ? Instant.MIN : Labels.instant(p.getStatus().getStartTime());
    if (started.plus(CPU_INITIALIZATION_PERIOD).isAfter(now)) {
      return !readySince.get().plus(metricsWindow).isAfter(now);
    }
    return true;
  }

  private static Optional<Integer> cpuUtilizationTarget(HorizontalPodAutoscaler hpa) {
    if (hpa.getSpec().getMetrics() == null) {
      return Optional.of(80); // the default target of an HPA without metrics
    }
    for (MetricSpec m : hpa.getSpec().getMetrics()) {
      if ("Resource".equals(m.getType()) && m.getResource() != null && "cpu".equals(m.getResource().getName())
          && m.getResource().getTarget() != null && m.getResource().getTarget().getAverageUtilization() != null) {
        return Optional.of(m.getResource().getTarget().getAverageUtilization());
      }
    }
    return Optional.empty();
  }

  static double cpuRequestMillis(Pod p) {
    double sum = 0;
    for (Container c : p.getSpec().getContainers()) {
      if (c.getResources() == null || c.getResources().getRequests() == null) {
        return 0;
      }
      Quantity q = c.getResources().getRequests().get("cpu");
      if (q == null) {
        return 0;
      }
      sum += Quantity.getAmountInBytes(q).doubleValue() * 1000;
    }
    return sum;
  }

  private static String key(HorizontalPodAutoscaler h) {
    return h.getMetadata().getNamespace() + "/" + h.getMetadata().getName();
  }
}
