package io.canary.kubernetes.internal;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes core/v1 Events about Deployments. The Event names the Deployment's uid, which {@code kubectl
 * describe} matches on; an Event equal to the last one on the same Deployment gets its count raised
 * instead of a new object, as the Kubernetes event recorder does.
 */
public final class KubernetesEvents {
  private static final int MAX_MESSAGE = 1024;
  private static final int MAX_NAME_PREFIX = 200;

  private final KubernetesClient client;
  private final String component;
  private final String instance;
  private final Map<String, String> uids = new ConcurrentHashMap<>();
  private final Map<String, Recorded> last = new ConcurrentHashMap<>();

  private record Recorded(String name, String reason, String message, String type, int count) {}

  public KubernetesEvents(KubernetesClient client, String component, String instance) {
    this.client = client;
    this.component = component;
    this.instance = instance;
  }

  public void record(String namespace, String deployment, String reason, String message, boolean warning, Instant time) {
    String key = namespace + "/" + deployment;
    Optional<String> uid = uid(namespace, deployment);
    if (uid.isEmpty()) {
      return;
    }
    String type = warning ? "Warning" : "Normal";
    String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
    String timestamp = time.truncatedTo(ChronoUnit.SECONDS).toString();
    Recorded previous = last.get(key);
    if (previous != null && previous.reason().equals(reason) && previous.message().equals(text) && previous.type().equals(type)) {
      int count = previous.count() + 1;
      String patch = "[{\"op\":\"replace\",\"path\":\"/count\",\"value\":" + count + "},"
          + "{\"op\":\"replace\",\"path\":\"/lastTimestamp\",\"value\":\"" + timestamp + "\"}]";
      try {
        client.v1().events().inNamespace(namespace).withName(previous.name()).patch(PatchContext.of(PatchType.JSON), patch);
        last.put(key, new Recorded(previous.name(), reason, text, type, count));
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
          throw e;
        }
        // Events expire (one hour by default): record a new one.
      }
    }
    String prefix = deployment.length() > MAX_NAME_PREFIX ? deployment.substring(0, MAX_NAME_PREFIX) : deployment;
    String name = prefix + "." + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    Event event = new EventBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withNewInvolvedObject()
        .withApiVersion("apps/v1").withKind("Deployment").withNamespace(namespace).withName(deployment).withUid(uid.get())
        .endInvolvedObject()
        .withReason(reason)
        .withMessage(text)
        .withType(type)
        .withCount(1)
        .withFirstTimestamp(timestamp)
        .withLastTimestamp(timestamp)
        .withNewSource().withComponent(component).endSource()
        .withReportingComponent(component)
        .withReportingInstance(instance)
        .build();
    client.v1().events().inNamespace(namespace).resource(event).create();
    last.put(key, new Recorded(name, reason, text, type, 1));
  }

  private Optional<String> uid(String namespace, String deployment) {
    String key = namespace + "/" + deployment;
    String cached = uids.get(key);
    if (cached != null) {
      return Optional.of(cached);
    }
    Deployment d = client.apps().deployments().inNamespace(namespace).withName(deployment).get();
    if (d == null || d.getMetadata().getUid() == null) {
      return Optional.empty();
    }
    uids.put(key, d.getMetadata().getUid());
    return Optional.of(d.getMetadata().getUid());
  }
}
