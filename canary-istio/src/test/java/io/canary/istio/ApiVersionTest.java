package io.canary.istio;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each object is read at the API version it is served at and written back at that same version. */
@EnableKubernetesMockClient(crud = true, https = false)
class ApiVersionTest {
  KubernetesMockServer server;

  @ParameterizedTest
  @ValueSource(strings = {"v1", "v1beta1", "v1alpha3"})
  void objectsAreWrittenBackAtTheVersionTheyAreServedAt(String version) {
    String yaml = MockCluster.resource("shop.yaml").replace("networking.istio.io/v1alpha3", "networking.istio.io/" + version);
    MockCluster cluster = new MockCluster(server).seedYaml(yaml);
    IstioTrafficRouter router = IstioTrafficRouter.create(cluster.client());

    router.apply(UserRoutesTest.SPEC, UserRoutesTest.THIRTY_WITH_ROUTES);

    assertThat(cluster.takeWrites()).containsExactly(
        "PUT /apis/networking.istio.io/" + version + "/namespaces/shop/destinationrules/shop",
        "PUT /apis/networking.istio.io/" + version + "/namespaces/shop/virtualservices/shop",
        "PUT /apis/networking.istio.io/" + version + "/namespaces/edge/virtualservices/shop-edge");
    Map<String, Object> edge = cluster.read("VirtualService", "edge", "shop-edge");
    assertThat(edge).containsEntry("apiVersion", "networking.istio.io/" + version);
    assertThat(Trees.get(edge, "spec", "http", 2, "route", 0, "weight")).isEqualTo(30);
  }
}
