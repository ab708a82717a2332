package io.canary.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.impl.BaseClient;
import io.fabric8.kubernetes.client.http.StandardHttpClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false)
class FieldManagerTest {
  KubernetesClient client;
  KubernetesMockServer server;

  @Test
  void everyCreateUpdateAndPatchCarriesTheFieldManagerAndReadsAndDeletesDoNot() throws Exception {
    KubernetesClient sdk = FieldManager.client(client);
    var configMaps = sdk.configMaps().inNamespace("shop");
    configMaps.resource(new ConfigMapBuilder().withNewMetadata().withName("a").endMetadata()
        .withData(Map.of("k", "1")).build()).create();
    var stored = configMaps.withName("a").get();
    stored.setData(Map.of("k", "2"));
    configMaps.resource(stored).update();
    configMaps.withName("a").edit(cm -> new ConfigMapBuilder(cm).addToData("j", "3").build());
    configMaps.withName("a").patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"add\",\"path\":\"/data/i\",\"value\":\"4\"}]");
    configMaps.withName("a").delete();

    List<RecordedRequest> requests = drain();
    assertThat(requests).extracting(r -> r.getMethod() + " " + r.getPath()).containsExactly(
        "POST /api/v1/namespaces/shop/configmaps?fieldManager=canary-sdk",
        "GET /api/v1/namespaces/shop/configmaps/a",
        "PUT /api/v1/namespaces/shop/configmaps/a?fieldManager=canary-sdk",
        "GET /api/v1/namespaces/shop/configmaps/a",
        "PATCH /api/v1/namespaces/shop/configmaps/a?fieldManager=canary-sdk",
        "GET /api/v1/namespaces/shop/configmaps/a",
        "PATCH /api/v1/namespaces/shop/configmaps/a?fieldManager=canary-sdk",
        "DELETE /api/v1/namespaces/shop/configmaps/a");
  }

  @Test
  void aCustomNameIsSentAndAWriteThatNamesItsOwnManagerKeepsIt() throws Exception {
    KubernetesClient sdk = FieldManager.client(client, "deployer 1");
    sdk.configMaps().inNamespace("shop").resource(new ConfigMapBuilder().withNewMetadata().withName("b").endMetadata().build())
        .create();
    sdk.configMaps().inNamespace("shop").withName("b").patch(
        new PatchContext.Builder().withPatchType(PatchType.JSON).withFieldManager("someone-else").build(),
        "[{\"op\":\"add\",\"path\":\"/data\",\"value\":{\"k\":\"v\"}}]");

    assertThat(drain()).extracting(RecordedRequest::getPath).containsExactly(
        "/api/v1/namespaces/shop/configmaps?fieldManager=deployer%201",
        "/api/v1/namespaces/shop/configmaps/b",
        "/api/v1/namespaces/shop/configmaps/b?fieldManager=someone-else");
    assertThat(FieldManager.nameOf(sdk)).contains("deployer 1");
    assertThat(FieldManager.nameOf(client)).isEmpty();
  }

  @Test
  void aDerivedClientIsUsedAsItIsAndCopiesOfItKeepTheFieldManager() throws Exception {
    KubernetesClient named = FieldManager.client(client, "deployer-1");
    assertThat(FieldManager.client(named)).isSameAs(named);
    assertThat(FieldManager.client(named, "deployer-1")).isSameAs(named);
    assertThat(FieldManager.nameOf(FieldManager.client(named, "deployer-2"))).contains("deployer-2");

    // inNamespace and the extension DSLs are copies fabric8 makes of the client.
    named.adapt(NamespacedKubernetesClient.class).inNamespace("shop").resource(new LeaseBuilder().withNewMetadata().withName("l").endMetadata().build()).create();
    named.leases().inNamespace("shop").resource(new LeaseBuilder().withNewMetadata().withName("m").endMetadata().build())
        .create();
    assertThat(drain()).extracting(RecordedRequest::getPath).allSatisfy(p -> assertThat(p).endsWith("?fieldManager=deployer-1"))
        .hasSize(2);
  }

  @Test
  void theDerivedClientSharesTheHostsConnectionsConfigAndExecutorAndClosingItLeavesTheHostOpen() throws Exception {
    KubernetesClient sdk = FieldManager.client(client);
    assertThat(sdk.getConfiguration()).isSameAs(client.getConfiguration());
    assertThat(((StandardHttpClient<?, ?, ?>) sdk.getHttpClient()).getClosed())
        .as("a client derived from the host's (fabric8 derives it over the same JDK client and connection pool)")
        .isSameAs(((StandardHttpClient<?, ?, ?>) client.getHttpClient()).getClosed());
    assertThat(sdk.adapt(BaseClient.class).getExecutor()).isSameAs(client.adapt(BaseClient.class).getExecutor());

    sdk.close();

    assertThat(client.getHttpClient().isClosed()).isFalse();
    assertThat(sdk.getHttpClient().isClosed()).isFalse();
    client.configMaps().inNamespace("shop").resource(new ConfigMapBuilder().withNewMetadata().withName("c").endMetadata().build())
        .create();
    sdk.configMaps().inNamespace("shop").withName("c").edit(cm -> new ConfigMapBuilder(cm).addToData("k", "v").build());
    assertThat(client.configMaps().inNamespace("shop").withName("c").get().getData()).containsEntry("k", "v");
  }

  @Test
  void theDerivedClientSendsTheHostsCredentials() throws Exception {
    try (KubernetesClient host = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(client.getConfiguration()).withOauthToken("host-token").build()).build()) {
      FieldManager.client(host).configMaps().inNamespace("shop")
          .resource(new ConfigMapBuilder().withNewMetadata().withName("d").endMetadata().build()).create();

      RecordedRequest create = drain().get(0);
      assertThat(create.getPath()).endsWith("?fieldManager=canary-sdk");
      assertThat(create.getHeader("Authorization")).isEqualTo("Bearer host-token");
    }
  }

  @Test
  void namesAnApiServerWouldRefuseAreRefusedWithTheReason() {
    assertThatThrownBy(() -> FieldManager.client(client, "")).hasMessage("fieldManager must not be empty");
    assertThatThrownBy(() -> FieldManager.client(client, "x".repeat(129)))
        .hasMessageStartingWith("fieldManager must be at most 128 characters, was 129");
    assertThatThrownBy(() -> FieldManager.client(client, "a\nb"))
        .hasMessageContaining("fieldManager must hold printable characters only").hasMessageContaining("index 1");
    assertThat(FieldManager.requireValid("x".repeat(128))).hasSize(128);
  }

  private List<RecordedRequest> drain() throws InterruptedException {
    List<RecordedRequest> requests = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
      requests.add(r);
    }
    return requests;
  }
}
