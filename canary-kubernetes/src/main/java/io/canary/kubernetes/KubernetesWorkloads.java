package io.canary.kubernetes;

import io.canary.client.FieldManager;
import io.canary.core.CanarySpec;
import io.canary.core.RolloutKey;
import io.canary.core.spi.Workloads;
import io.canary.kubernetes.internal.AutoscalerCaches;
import io.canary.kubernetes.internal.DeploymentWorkloads;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link Workloads} over apps/v1 Deployments, through the host's {@link KubernetesClient}.
 *
 * <p>The target is an existing Deployment. For a new pod template or new images the canary is a second
 * Deployment, {@code <target>-canary}, made from the target: same selector plus
 * {@code canary.io/revision: <hash>}, the new template carrying that label, 0 replicas at creation.
 * For {@code NewRevision.existingWorkload} (two Deployments managed by the user) nothing is created:
 * the rollout only scales, as asked, and never deletes either Deployment.
 *
 * <p>Readiness comes from informers (Deployments, ReplicaSets, Pods and HorizontalPodAutoscalers), one
 * set per namespace shared by every rollout in it, started when the namespace is first used and stopped
 * by {@link #close()}. Every read is served from those caches (the API server is read only for what they
 * do not hold yet, or after a conflict), and the SDK's own writes are read as the API server answered
 * them until the informers have seen them. Writes are JSON Patches guarded by the cached
 * resourceVersion that name only the fields the SDK owns; one that would change nothing is not sent.
 * Replicas of a Deployment an autoscaling/v2 HorizontalPodAutoscaler targets are never written.
 *
 * <pre>{@code
 * KubernetesWorkloads workloads = KubernetesWorkloads.create(client);
 * CanaryRunner runner = CanaryRunner.builder().workloads(workloads).trafficRouter(router).build();
 * }</pre>
 */
public interface KubernetesWorkloads extends Workloads, AutoCloseable {
  /** Workloads with the default options. */
  static KubernetesWorkloads create(KubernetesClient client) {
    return builder(client).build();
  }

  static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  /** The name of the canary Deployment the rollout creates (or the user's own, for an existing workload). */
  String canaryName(CanarySpec spec);

  /** The target Deployment of a rollout this instance has seen (validated, previewed or started). */
  Optional<String> targetOf(RolloutKey key);

  /** A listener that records every transition as an Event on the rollout's target Deployment. */
  KubernetesEventRecorder eventRecorder();

  /**
   * The autoscaler caches of this instance's watches, one per namespace, for canary-hpa: it decorates
   * this instance and reads and records the autoscalers there, so that a namespace has one autoscaler
   * informer and both modules see the same autoscalers. Not for applications: its type is internal
   * and may change in any release.
   */
  AutoscalerCaches autoscalerCaches();

  /** Stops the watches; idempotent. Deletes nothing and changes nothing in the cluster. */
  @Override
  void close();

  /** Options of {@link KubernetesWorkloads}; each has a default. */
  final class Builder {
    private final KubernetesClient client;
    private String canarySuffix = "-canary";
    private Duration syncTimeout = Duration.ofSeconds(30);

    private Builder(KubernetesClient client) {
      this.client = FieldManager.client(Objects.requireNonNull(client, "client"));
    }

    /** Appended to the target's name to name the canary Deployment; default {@code -canary}. */
    public Builder canarySuffix(String suffix) {
      if (suffix == null || !suffix.matches("-[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
        throw new IllegalArgumentException("canarySuffix must start with '-' followed by lower case letters, digits"
            + " and '-' (it becomes part of a DNS-1123 name), was '" + suffix + "'");
      }
      this.canarySuffix = suffix;
      return this;
    }

    /** How long the first use of a namespace waits for its watch caches to fill; default 30s. */
    public Builder syncTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("syncTimeout must be positive, was " + timeout);
      }
      this.syncTimeout = timeout;
      return this;
    }

    public KubernetesWorkloads build() {
      return new DeploymentWorkloads(client, canarySuffix, syncTimeout);
    }
  }
}
