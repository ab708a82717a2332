package io.canary.hpa.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.canary.core.CanaryException;
import io.canary.kubernetes.CanaryLabels;
import io.canary.kubernetes.internal.AutoscalerCaches;
import io.canary.kubernetes.internal.JsonPatch;
import io.canary.kubernetes.internal.NamespaceAutoscalers;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The autoscaling/v2 HorizontalPodAutoscalers of the rollouts' namespaces: read from the namespace's
 * autoscaler cache (shared with canary-kubernetes where it decorates that), written with JSON Patches
 * that name only the fields the rollout owns (bounds, metrics, behavior, its own annotations), guarded
 * by the resourceVersion read. Every write is recorded in the cache at once.
 */
public final class Hpas {
  private static final Logger LOG = LoggerFactory.getLogger(Hpas.class);
  /** A conflicting write (the autoscaler's own status updates) is retried on the fresh object. */
  private static final int CONFLICT_RETRIES = 5;
  private static final List<String> OWNED_ANNOTATIONS = List.of(CanaryLabels.ORIGINAL_BOUNDS, CanaryLabels.FIXED_SCALE);

  private final KubernetesClient client;
  private final AutoscalerCaches caches;

  public Hpas(KubernetesClient client, AutoscalerCaches caches) {
    this.client = client;
    this.caches = caches;
  }

  public static String describe(HorizontalPodAutoscaler hpa) {
    return NamespaceAutoscalers.describe(hpa);
  }

  /** True when the autoscaler sizes the workload {@code kind/name}. */
  public static boolean targets(HorizontalPodAutoscaler hpa, String kind, String workload) {
    return NamespaceAutoscalers.targets(hpa, kind, workload);
  }

  /** Every autoscaler that sizes {@code kind/workload}, ordered by name. */
  public List<HorizontalPodAutoscaler> targeting(String namespace, String kind, String workload) {
    return caches.in(namespace).targeting(kind, workload);
  }

  /** The autoscalers of the namespace carrying all the given labels. */
  public List<HorizontalPodAutoscaler> labelled(String namespace, Map<String, String> labels) {
    return caches.in(namespace).labelled(labels);
  }

  public Optional<HorizontalPodAutoscaler> get(String namespace, String name) {
    return caches.in(namespace).named(name);
  }

  /**
   * Creates {@code hpa}; one that exists already (created by a runner before this one, and not yet in
   * this process's cache) is taken as it is: creating the canary's autoscaler is idempotent.
   */
  public HorizontalPodAutoscaler create(HorizontalPodAutoscaler hpa) {
    String namespace = hpa.getMetadata().getNamespace();
    HorizontalPodAutoscaler created;
    try {
      created = hpas().inNamespace(namespace).resource(hpa).create();
    } catch (KubernetesClientException e) {
      HorizontalPodAutoscaler existing = e.getCode() == HttpURLConnection.HTTP_CONFLICT
          ? hpas().inNamespace(namespace).withName(hpa.getMetadata().getName()).get() : null;
      if (existing == null) {
        throw e;
      }
      created = existing;
    }
    caches.in(namespace).wrote(created);
    return created;
  }

  public void delete(HorizontalPodAutoscaler hpa) {
    String namespace = hpa.getMetadata().getNamespace();
    hpas().inNamespace(namespace).resource(hpa).delete();
    caches.in(namespace).deleted(hpa);
  }

  /**
   * Changes the autoscaler with {@code change}, starting from its cached version: writes nothing when
   * the change leaves it as it is; on a conflict reads it again and applies the change to that.
   */
  public HorizontalPodAutoscaler edit(HorizontalPodAutoscaler hpa, UnaryOperator<HorizontalPodAutoscaler> change) {
    String namespace = hpa.getMetadata().getNamespace();
    String name = hpa.getMetadata().getName();
    Resource<HorizontalPodAutoscaler> resource = hpas().inNamespace(namespace).withName(name);
    HorizontalPodAutoscaler current = caches.in(namespace).named(name).orElse(hpa);
    for (int attempt = 1; ; attempt++) {
      JsonPatch patch = ownedFieldsChanged(current, change.apply(copy(current)));
      if (!patch.changesAnything()) {
        return current;
      }
      try {
        // patched through the object read, so the client reads nothing before the write
        HorizontalPodAutoscaler written = hpas().inNamespace(namespace).resource(current)
            .patch(PatchContext.of(PatchType.JSON), patch.toString());
        caches.in(namespace).wrote(written);
        return written;
      } catch (KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
          throw new CanaryException(describe(hpa) + " was deleted while the rollout was changing its bounds", e);
        }
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt >= CONFLICT_RETRIES) {
          throw e;
        }
        LOG.debug("{} changed since it was read; applying the change to the fresh object", describe(hpa));
        current = Optional.ofNullable(resource.get()).orElseThrow(() -> new CanaryException(
            describe(hpa) + " was deleted while the rollout was changing its bounds"));
      }
    }
  }

  /** Calls {@code onEvent} for every change to an autoscaler of the namespace until closed. */
  public AutoCloseable watch(String namespace, Consumer<HorizontalPodAutoscaler> onEvent) {
    return caches.in(namespace).onChange(onEvent);
  }

  /** A JSON Patch, guarded by {@code before}'s resourceVersion, of the owned fields {@code after} changes. */
  private JsonPatch ownedFieldsChanged(HorizontalPodAutoscaler before, HorizontalPodAutoscaler after) {
    JsonPatch p = JsonPatch.guardedBy(before.getMetadata().getResourceVersion());
    field(p, "/spec/minReplicas", before.getSpec().getMinReplicas(), after.getSpec().getMinReplicas());
    field(p, "/spec/maxReplicas", before.getSpec().getMaxReplicas(), after.getSpec().getMaxReplicas());
    field(p, "/spec/metrics", before.getSpec().getMetrics(), after.getSpec().getMetrics());
    field(p, "/spec/behavior", before.getSpec().getBehavior(), after.getSpec().getBehavior());
    Map<String, String> present = before.getMetadata().getAnnotations();
    Map<String, String> wanted = Optional.ofNullable(after.getMetadata().getAnnotations()).orElse(Map.of());
    for (String key : OWNED_ANNOTATIONS) {
      String was = present == null ? null : present.get(key);
      String value = wanted.get(key);
      if (Objects.equals(was, value)) {
        continue;
      }
      if (value == null) {
        p.removeAnnotation(present, key);
      } else {
        p.setAnnotation(present, key, value);
        present = new HashMap<>(present == null ? Map.of() : present);
        present.put(key, value);
      }
    }
    return p;
  }

  /** Adds to {@code p} what makes {@code path} {@code after}, when that differs from {@code before} as JSON. */
  private void field(JsonPatch p, String path, Object before, Object after) {
    if (sameJson(before, after)) {
      return;
    }
    if (after == null) {
      p.remove(path);
    } else {
      p.set(path, after);
    }
  }

  /**
   * Equal as the API server would store them: compared as JSON trees, so that two model objects
   * that serialize alike (a list given as another list type, an empty additional-properties map)
   * count as one and no patch is sent for them.
   */
  private boolean sameJson(Object before, Object after) {
    if (Objects.equals(before, after)) {
      return true;
    }
    if (before == null || after == null) {
      return false;
    }
    var serialization = client.getKubernetesSerialization();
    return serialization.convertValue(before, JsonNode.class).equals(serialization.convertValue(after, JsonNode.class));
  }

  private HorizontalPodAutoscaler copy(HorizontalPodAutoscaler hpa) {
    return client.getKubernetesSerialization().clone(hpa);
  }

  private MixedOperation<HorizontalPodAutoscaler, HorizontalPodAutoscalerList, Resource<HorizontalPodAutoscaler>>
      hpas() {
    return client.autoscaling().v2().horizontalPodAutoscalers();
  }
}
