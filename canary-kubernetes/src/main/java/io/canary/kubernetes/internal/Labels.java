package io.canary.kubernetes.internal;

/** The label and annotation keys the SDK reads and writes. */
public final class Labels {
  /** On the canary's pod template (and the stable's after a promotion): the revision hash. */
  public static final String REVISION = "canary.io/revision";
  /** On objects the SDK created: the rollout they belong to. */
  public static final String ROLLOUT = "canary.io/rollout";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY_VALUE = "canary-sdk";
  /** Put on every pod by the Deployment controller: the hash of its ReplicaSet's template. */
  public static final String POD_TEMPLATE_HASH = "pod-template-hash";
  /** The Deployment controller's revision number, on a Deployment and on each of its ReplicaSets. */
  public static final String DEPLOYMENT_REVISION = "deployment.kubernetes.io/revision";
  /** On the canary Deployment: the Deployment it was made from. */
  public static final String TARGET = "canary.io/target";
  /** On a user's Deployment while the rollout changed its replicas: the count to give back. */
  public static final String USER_REPLICAS = "canary.io/user-replicas";
  /** On the stable Deployment while a promotion uses the rollout's strategy: the user's own, as JSON. */
  public static final String USER_STRATEGY = "canary.io/user-strategy";

  private Labels() {}
}
