package io.canary.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;

/**
 * The label and annotation keys the Canary SDK reads and writes on cluster objects, for every adapter
 * (canary-kubernetes, canary-hpa) and for the people and tools that look at those objects. This is
 * the one place they are spelled.
 */
public final class CanaryLabels {
  /** On the canary's pod template (and the stable's after a promotion): the revision hash. */
  public static final String REVISION = "canary.io/revision";
  /** On every object the SDK created: the name of the rollout it belongs to. */
  public static final String ROLLOUT = "canary.io/rollout";
  /** {@code app.kubernetes.io/managed-by}, set to {@link #MANAGED_BY_VALUE} on every object the SDK created. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY_VALUE = "canary-sdk";
  /** On the ConfigMap holding a rollout's status: {@code true}. */
  public static final String ROLLOUT_STATE = "canary.io/rollout-state";
  /**
   * On the ConfigMap holding the status of a rollout that ended: the workload it left stable, which
   * the retention of ended statuses per target selects on (absent when the name is no label value).
   */
  public static final String ENDED_TARGET = "canary.io/ended-target";
  /** On the ConfigMap holding the claim on a target workload ({@code ConfigMapTargetClaims}): {@code true}. */
  public static final String TARGET_CLAIM = "canary.io/target-claim";
  /** On a runner's Lease ({@code KubernetesRunnerLeases}): {@code true}. */
  public static final String RUNNER_LEASE = "canary.io/runner-lease";
  /** On a runner's Lease: the epoch it is held at, a new one at every take. */
  public static final String EPOCH = "canary.io/epoch";
  /** On the canary Deployment: the Deployment it was made from. */
  public static final String TARGET = "canary.io/target";
  /** On a user's Deployment while the rollout changed its replicas: the count to give back. */
  public static final String USER_REPLICAS = "canary.io/user-replicas";
  /** On the stable Deployment while a promotion uses the rollout's strategy: the user's own, as JSON. */
  public static final String USER_STRATEGY = "canary.io/user-strategy";
  /**
   * On an autoscaler while the rollout has changed its bounds: the user's, as
   * {@code {"minReplicas":2,"maxReplicas":6}}, so that any runner, also after a crash, gives them back.
   */
  public static final String ORIGINAL_BOUNDS = "canary.io/original-bounds";
  /** On the canary's autoscaler while a setCanaryScale step holds the canary at a count: that count. */
  public static final String FIXED_SCALE = "canary.io/fixed-scale";
  /** On the autoscaler the SDK made for a canary: the autoscaler it was cloned from. */
  public static final String CLONED_FROM = "canary.io/cloned-from";
  /** Put on every pod by the Deployment controller: the hash of its ReplicaSet's template. */
  public static final String POD_TEMPLATE_HASH = "pod-template-hash";
  /** The Deployment controller's revision number, on a Deployment and on each of its ReplicaSets. */
  public static final String DEPLOYMENT_REVISION = "deployment.kubernetes.io/revision";

  private CanaryLabels() {}

  /** The labels that mark an object as created by the SDK for rollout {@code rollout}. */
  public static Map<String, String> forRollout(String rollout) {
    return Map.of(ROLLOUT, rollout, MANAGED_BY, MANAGED_BY_VALUE);
  }

  /** True when {@code object} carries the labels of {@link #forRollout(String) forRollout(rollout)}. */
  public static boolean createdFor(HasMetadata object, String rollout) {
    Map<String, String> labels = object.getMetadata().getLabels();
    return labels != null && labels.entrySet().containsAll(forRollout(rollout).entrySet());
  }
}
