package io.canary.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.CanaryException;
import io.canary.core.RolloutKey;
import io.canary.core.spi.TargetClaims.Claim;
import io.canary.core.spi.TargetKey;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false, kubernetesClientBuilderCustomizer = FastFailingClient.class)
class ConfigMapTargetClaimsTest {
  private static final TargetKey TARGET = new TargetKey("shop", "Deployment", "web");
  private static final RolloutKey BLUE = RolloutKey.of("shop", "web-blue");
  private static final RolloutKey GREEN = RolloutKey.of("shop", "web-green");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  KubernetesClient client;

  @Test
  void aClaimIsAConfigMapPerTargetNamingItsRollout() {
    ConfigMapTargetClaims claims = ConfigMapTargetClaims.create(client, "shop");
    assertThat(claims.claim(TARGET, BLUE, T0, c -> false)).isEmpty();
    var cm = client.configMaps().inNamespace("shop").withName("canary-claim-deployment-web").get();
    assertThat(cm.getData()).containsEntry("rollout", "web-blue").containsEntry("claimedAt", "2026-01-01T00:00:00Z");
    assertThat(cm.getMetadata().getLabels()).containsEntry(CanaryLabels.TARGET_CLAIM, "true")
        .containsEntry(CanaryLabels.ROLLOUT, "web-blue").containsEntry(CanaryLabels.MANAGED_BY, CanaryLabels.MANAGED_BY_VALUE);
    assertThat(claims.holder(TARGET)).contains(new Claim(BLUE, T0));

    assertThat(claims.claim(TARGET, GREEN, T0, c -> false)).contains(new Claim(BLUE, T0));
    assertThat(claims.claim(TARGET, BLUE, T0.plusSeconds(5), c -> false)).as("claimed again by its holder").isEmpty();
    assertThat(claims.holder(TARGET)).contains(new Claim(BLUE, T0.plusSeconds(5)));
  }

  @Test
  void aStaleClaimIsReplacedAndAReleaseKeepsAClaimAnotherRolloutHolds() {
    ConfigMapTargetClaims claims = ConfigMapTargetClaims.create(client, "shop");
    claims.claim(TARGET, BLUE, T0, c -> false);
    assertThat(claims.claim(TARGET, GREEN, T0.plusSeconds(60), c -> c.rollout().equals(BLUE))).isEmpty();
    assertThat(claims.holder(TARGET)).contains(new Claim(GREEN, T0.plusSeconds(60)));
    claims.release(TARGET, BLUE);
    assertThat(claims.holder(TARGET).map(Claim::rollout)).contains(GREEN);
    claims.release(TARGET, GREEN);
    assertThat(claims.holder(TARGET)).isEmpty();
    assertThat(client.configMaps().inNamespace("shop").withName("canary-claim-deployment-web").get()).isNull();
  }

  @Test
  void ofTwoClaimsAtTheSameInstantExactlyOneWinsAndTheOtherIsToldTheWinner() throws Exception {
    ConfigMapTargetClaims claims = ConfigMapTargetClaims.create(client, "shop");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 5; round++) {
        TargetKey target = new TargetKey("shop", "Deployment", "web-" + round);
        CountDownLatch go = new CountDownLatch(1);
        Future<Optional<Claim>> blue = pool.submit(() -> go.await(5, TimeUnit.SECONDS) ? claims.claim(target, BLUE, T0, c -> false) : null);
        Future<Optional<Claim>> green = pool.submit(() -> go.await(5, TimeUnit.SECONDS) ? claims.claim(target, GREEN, T0, c -> false) : null);
        go.countDown();
        List<Optional<Claim>> answers = List.of(blue.get(10, TimeUnit.SECONDS), green.get(10, TimeUnit.SECONDS));
        RolloutKey holder = claims.holder(target).orElseThrow().rollout();
        assertThat(answers).filteredOn(Optional::isEmpty).hasSize(1);
        assertThat(answers).filteredOn(Optional::isPresent).singleElement()
            .satisfies(a -> assertThat(a.orElseThrow().rollout()).isEqualTo(holder));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aConfigMapOfThatNameTheSdkDidNotWriteIsLeftAlone() {
    client.configMaps().inNamespace("shop").resource(new ConfigMapBuilder().withNewMetadata()
        .withName("canary-claim-deployment-web").withNamespace("shop").endMetadata().addToData("x", "y").build()).create();
    ConfigMapTargetClaims claims = ConfigMapTargetClaims.create(client, "shop");
    assertThatThrownBy(() -> claims.claim(TARGET, BLUE, T0, c -> true))
        .isInstanceOf(CanaryException.class).hasMessageContaining("is not a claim written by the Canary SDK");
    assertThat(client.configMaps().inNamespace("shop").withName("canary-claim-deployment-web").get().getData())
        .containsEntry("x", "y");
  }

  @Test
  void claimsAreScopedToTheirNamespaces() {
    ConfigMapTargetClaims claims = ConfigMapTargetClaims.create(client, "shop");
    assertThatThrownBy(() -> claims.claim(new TargetKey("other", "Deployment", "web"), RolloutKey.of("other", "web"), T0, c -> false))
        .isInstanceOf(CanaryException.class).hasMessageContaining("outside the namespaces [shop]");
    assertThatThrownBy(() -> ConfigMapTargetClaims.create(client)).isInstanceOf(IllegalArgumentException.class);
  }
}
