package io.canary.kubernetes;

import static io.canary.kubernetes.TestCluster.TARGET;
import static io.canary.kubernetes.TestCluster.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.spi.CanaryScale;
import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Revisions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false, kubernetesClientBuilderCustomizer = FastFailingClient.class)
class HpaOwnedDeploymentTest {
  private static final String TARGET_PATH = "/apis/apps/v1/namespaces/shop/deployments/web";

  KubernetesMockServer server;
  KubernetesClient client;

  @Test
  void aDeploymentAnAutoscalerTargetsIsNeverDeletedNorHasItsReplicasWritten() throws Exception {
    TestCluster cluster = new TestCluster(client);
    cluster.deployment(TARGET, 5, "shop/web:1.0");
    cluster.rollOut(TARGET, 5);
    cluster.autoscaler(TARGET, 2, 6);
    CanarySpec spec = CanarySpec.copyOf(spec(NewRevision.image("app", "shop/web:2.0"))).withMaxSurge("1");
    int before = server.getRequestCount();

    // The in-process server consumes request bodies, so the bodies are recorded as the client sends them.
    List<String> sent = new CopyOnWriteArrayList<>();
    Interceptor recorder = new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        sent.add(request.method() + " " + request.uri().getPath() + " " + request.bodyString());
      }
    };
    try (KubernetesClient recorded = server.createClient(b -> {
          new FastFailingClient().accept(b);
          b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("record", recorder));
        });
        KubernetesWorkloads workloads = KubernetesWorkloads.create(recorded)) {
      Revisions revisions = workloads.ensureCanary(spec);
      workloads.scaleCanary(spec, revisions, CanaryScale.preScale(2));
      workloads.scaleStable(spec, revisions, Optional.of(1));
      assertThat(workloads.observe(spec, revisions).stable().autoscaled()).isTrue();
      workloads.promote(spec, revisions);
      workloads.scaleStable(spec, revisions, Optional.empty());
      workloads.removeCanary(spec, revisions);
    }

    List<RecordedRequest> requests = requestsSince(before);
    List<RecordedRequest> toTarget = requests.stream().filter(r -> r.getPath().startsWith(TARGET_PATH)
        && (r.getPath().length() == TARGET_PATH.length() || r.getPath().charAt(TARGET_PATH.length()) == '?'
            || r.getPath().startsWith(TARGET_PATH + "/"))).toList();
    assertThat(toTarget).extracting(RecordedRequest::getMethod).doesNotContain("DELETE", "PUT");
    List<RecordedRequest> patches = toTarget.stream().filter(r -> r.getMethod().equals("PATCH")).toList();
    assertThat(patches).as("the promotion patches the target's template").isNotEmpty();
    List<String> bodiesToTarget = sent.stream().filter(r -> r.startsWith("PATCH " + TARGET_PATH + " ")).toList();
    assertThat(bodiesToTarget).hasSameSizeAs(patches).anyMatch(body -> body.contains("/spec/template"))
        .noneMatch(body -> body.contains("replicas"));
    assertThat(requests).as("the canary the rollout created was deleted")
        .anyMatch(r -> r.getMethod().equals("DELETE") && r.getPath().startsWith(TARGET_PATH + "-canary"));
    assertThat(sent).as("the canary's replicas, which no autoscaler targets, were written")
        .anyMatch(r -> r.startsWith("PATCH " + TARGET_PATH + "-canary ") && r.contains("/spec/replicas"));
    assertThat(cluster.get(TARGET).getSpec().getReplicas()).isEqualTo(5);
    List<String> autoscalerReads = requests.stream().filter(r -> r.getMethod().equals("GET")
        && r.getPath().startsWith("/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers")).map(RecordedRequest::getPath)
        .toList();
    assertThat(autoscalerReads).as("autoscalers are read from the namespace's watch cache, not listed before each write")
        .hasSize(2).filteredOn(p -> p.contains("watch=true")).hasSize(1);
  }

  private List<RecordedRequest> requestsSince(int before) throws InterruptedException {
    List<RecordedRequest> all = new ArrayList<>();
    int total = server.getRequestCount();
    for (int i = 0; i < total; i++) {
      RecordedRequest r = server.takeRequest(1, TimeUnit.SECONDS);
      if (r != null && i >= before) {
        all.add(r);
      }
    }
    return all;
  }
}
