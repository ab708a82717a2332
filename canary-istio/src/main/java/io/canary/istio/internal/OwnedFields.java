package io.canary.istio.internal;

import io.canary.core.Problem;
import io.canary.core.spi.RoutingState;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;

/** The fields of one routing object that the router owns, and how to check and set them. */
interface OwnedFields {
  ObjectRef ref();

  /** What keeps the router from driving {@code object} as it is; empty when it can. */
  List<Problem> problems(GenericKubernetesResource object);

  /**
   * Sets the owned fields of {@code object} (a copy, free of {@link #problems}) to carry {@code desired},
   * leaving every other field as it is.
   *
   * @return true when a label or selector key was added or got another value: the object then starts
   *     selecting pods it did not select before, so it is written before the weights that send traffic there
   */
  boolean apply(GenericKubernetesResource object, RoutingState desired);

  /** True for the objects that carry weights (VirtualServices), false for those that carry labels. */
  boolean carriesWeights();
}
