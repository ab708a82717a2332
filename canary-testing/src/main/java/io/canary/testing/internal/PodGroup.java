package io.canary.testing.internal;

import java.util.List;
import java.util.Map;

/**
 * Identical pods: those of one ReplicaSet (or a pod nobody owns, alone). Traffic, metrics and the
 * timeline count per group, so a simulation allocates nothing per request or per pod.
 *
 * @param key {@code namespace/name}
 * @param name the ReplicaSet's name (or the lone pod's)
 * @param workload the Deployment that owns the ReplicaSet, else {@code name}
 * @param labels the pods' labels
 * @param images the pods' container images
 * @param replicas the pods the ReplicaSet asks for
 * @param readyPods the pods that are Ready
 * @param displayName a short name for people: the workload and the image tag, for example {@code web:1.2 (5f6d8c)}
 */
public record PodGroup(String key, String namespace, String name, String workload, Map<String, String> labels,
    List<String> images, int replicas, int readyPods, String displayName) {

  public PodGroup(String key, String namespace, String name, String workload, Map<String, String> labels,
      List<String> images, int replicas, int readyPods) {
    this(key, namespace, name, workload, labels, images, replicas, readyPods, displayName(workload, labels, images));
  }

  /** A short name for people: the workload and the image tag, for example {@code web:1.2 (5f6d8c)}. */
  private static String displayName(String workload, Map<String, String> labels, List<String> images) {
    String image = images.isEmpty() ? "" : images.get(0);
    int colon = image.lastIndexOf(':');
    String tag = colon >= 0 && colon > image.lastIndexOf('/') ? image.substring(colon + 1) : image;
    String hash = labels.getOrDefault(DeploymentController.HASH_LABEL, "");
    return workload + ":" + tag + (hash.isEmpty() ? "" : " (" + hash + ")");
  }
}
