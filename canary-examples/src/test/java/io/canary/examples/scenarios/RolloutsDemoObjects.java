package io.canary.examples.scenarios;

/** The objects of seed rollouts-demo-subsets, by name, and its two images. */
final class RolloutsDemoObjects {
  static final String DEMO_NS = "istio-argo-rollouts";
  static final String DEMO_DEPLOYMENT = "rollouts-demo-deployment";
  static final String DEMO_CANARY = "rollouts-demo-deployment-canary";
  static final String DEMO_HPA = "hpa-rollout-example";
  static final String DEMO_CANARY_HPA = "hpa-rollout-example-canary";
  static final String DEMO_VS = "rollouts-demo-vs2";
  static final String DEMO_DR = "rollout-destrule";
  static final String BLUE = "argoproj/rollouts-demo:blue";
  static final String RED = "argoproj/rollouts-demo:red";

  private RolloutsDemoObjects() {}
}
