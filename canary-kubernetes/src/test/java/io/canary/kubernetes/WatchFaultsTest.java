package io.canary.kubernetes;

import static io.canary.kubernetes.TestCluster.TARGET;
import static io.canary.kubernetes.TestCluster.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.NewRevision;
import io.canary.core.Revisions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An informer whose list fails (an API server busy, a connection refused) keeps trying: fabric8 alone
 * stops such an informer for good. When its first list does not come in time, the error says why.
 */
@EnableKubernetesMockClient(crud = true, https = false, kubernetesClientBuilderCustomizer = FastFailingClient.class)
class WatchFaultsTest {
  KubernetesMockServer server;
  KubernetesClient client;

  /** A client whose first {@code failing} lists of Pods are refused (sent to a port nobody listens on). */
  private KubernetesClient refusingPodLists(AtomicInteger failing) {
    Interceptor refuse = new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        URI uri = request.uri();
        boolean podList = request.method().equals("GET") && uri.getPath().endsWith("/pods");
        if (podList && failing.getAndUpdate(n -> n == Integer.MAX_VALUE ? n : Math.max(0, n - 1)) > 0) {
          builder.uri(URI.create(uri.getScheme() + "://127.0.0.1:1" + uri.getRawPath()
              + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())));
        }
      }
    };
    return server.createClient(b -> {
      new FastFailingClient().accept(b);
      b.editOrNewConfig().withWatchReconnectInterval(10).endConfig();
      b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("refuse", refuse));
    });
  }

  @Test
  void aWatchWhoseFirstListsFailIsTriedAgainAndThenServesTheCaches() {
    TestCluster cluster = new TestCluster(client);
    cluster.deployment(TARGET, 3, "shop/web:1.0");
    cluster.rollOut(TARGET, 3);
    AtomicInteger failing = new AtomicInteger(3);
    try (KubernetesClient flaky = refusingPodLists(failing);
        KubernetesWorkloads workloads = KubernetesWorkloads.builder(flaky).syncTimeout(Duration.ofSeconds(20)).build()) {
      var spec = spec(NewRevision.image("app", "shop/web:2.0"));
      Revisions revisions = workloads.ensureCanary(spec);
      assertThat(workloads.observe(spec, revisions).stable().ready()).as("pods seen through the watch").isEqualTo(3);
      assertThat(failing.get()).as("the three refused lists were tried again").isZero();
    }
  }

  @Test
  void watchesThatCannotStartNameTheLastFailure() {
    TestCluster cluster = new TestCluster(client);
    cluster.deployment(TARGET, 3, "shop/web:1.0");
    cluster.rollOut(TARGET, 3);
    try (KubernetesClient flaky = refusingPodLists(new AtomicInteger(Integer.MAX_VALUE));
        KubernetesWorkloads workloads = KubernetesWorkloads.builder(flaky).syncTimeout(Duration.ofMillis(500)).build()) {
      var spec = spec(NewRevision.image("app", "shop/web:2.0"));
      // the adapter reads the Deployments from its caches: the first use of the namespace waits for them
      assertThatThrownBy(() -> workloads.ensureCanary(spec))
          .hasMessageContaining("of namespace shop within PT0.5S; the last attempt failed with")
          .hasMessageContaining("Connect");
    }
  }
}
