package io.canary.examples.scenarios;

import io.canary.testing.ObservedRequest;
import io.canary.testing.SimulatedCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** What the simulated API server holds and what the code under test asked of it, read as a user would. */
final class InCluster {
  private InCluster() {}

  static Deployment deployment(SimulatedCluster sim, String namespace, String name) {
    return sim.client().apps().deployments().inNamespace(namespace).withName(name).get();
  }

  /** Lets virtual time pass until every replica of the seed's Deployment is available, as in a running cluster. */
  static void untilAvailable(SimulatedCluster sim, String namespace, String name) {
    sim.advanceUntil(namespace + "/" + name + " available", () -> {
      Deployment d = deployment(sim, namespace, name);
      Integer available = d.getStatus() == null ? null : d.getStatus().getAvailableReplicas();
      return available != null && available.equals(d.getSpec().getReplicas());
    }, Duration.ofMinutes(5));
  }

  static String image(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  static HorizontalPodAutoscaler hpa(SimulatedCluster sim, String namespace, String name) {
    return sim.client().autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace).withName(name).get();
  }

  /** {@code min..max} of an HPA, as a user compares them with what they wrote. */
  static String bounds(HorizontalPodAutoscaler hpa) {
    return hpa.getSpec().getMinReplicas() + ".." + hpa.getSpec().getMaxReplicas();
  }

  static Map<String, String> selector(SimulatedCluster sim, String namespace, String service) {
    Service s = sim.client().services().inNamespace(namespace).withName(service).get();
    return s.getSpec().getSelector();
  }

  /** The reasons of the Kubernetes Events recorded on {@code kind/name}. */
  static List<String> eventReasons(SimulatedCluster sim, String namespace, String kind, String name) {
    return events(sim, namespace, kind, name).map(Event::getReason).toList();
  }

  /** The messages of the Kubernetes Events recorded on {@code kind/name}. */
  static List<String> eventMessages(SimulatedCluster sim, String namespace, String kind, String name) {
    return events(sim, namespace, kind, name).map(Event::getMessage).toList();
  }

  private static Stream<Event> events(SimulatedCluster sim, String namespace, String kind, String name) {
    return sim.client().v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> kind.equals(e.getInvolvedObject().getKind()) && name.equals(e.getInvolvedObject().getName()));
  }

  /** The writes the code under test made to objects whose path ends with {@code /<resource>/<name>}. */
  static List<ObservedRequest> writesTo(SimulatedCluster sim, String resource, String name) {
    String suffix = "/" + resource + "/" + name;
    return sim.writesUnderTest().stream()
        .filter(r -> pathWithoutQuery(r).endsWith(suffix) || pathWithoutQuery(r).endsWith(suffix + "/status"))
        .toList();
  }

  private static String pathWithoutQuery(ObservedRequest r) {
    int q = r.path().indexOf('?');
    return q < 0 ? r.path() : r.path().substring(0, q);
  }
}
