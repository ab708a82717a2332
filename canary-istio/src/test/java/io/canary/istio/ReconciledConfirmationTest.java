package io.canary.istio;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.spi.RoutingConfirmation;
import io.canary.core.spi.RoutingConfirmation.State;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The opt-in confirmation: istiod (played here by the test, writing the status its status feature
 * writes) reports a VirtualService's generation Reconciled once every proxy has it; Istio's analysis
 * messages in the status refuse a change when one is an ERROR. Off by default.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class ReconciledConfirmationTest {
  static final String NS = RolloutsDemoSubsetsTest.NS;
  static final String VS = "rollouts-demo-vs2";

  KubernetesMockServer server;
  MockCluster cluster;
  IstioTrafficRouter router;

  @BeforeEach
  void seed() {
    cluster = new MockCluster(server).seedScenario("rollouts-demo-subsets");
    router = IstioTrafficRouter.builder(cluster.client()).confirmReconciled(true).build();
  }

  @AfterEach
  void close() {
    router.close();
  }

  /** Writes the status as istiod does: observedGeneration as a string (protobuf int64), a Reconciled condition. */
  private void istiodReports(String reconciled, List<Map<String, Object>> validationMessages) {
    var virtualServices = cluster.client().genericKubernetesResources(MockCluster.context("networking.istio.io/v1alpha3", "VirtualService"))
        .inNamespace(NS);
    GenericKubernetesResource vs = virtualServices.withName(VS).get();
    vs.getAdditionalProperties().put("status", Map.of("observedGeneration", Long.toString(vs.getMetadata().getGeneration()),
        "conditions", List.of(Map.of("type", "Reconciled", "status", reconciled, "message", "3/3 proxies up to date")),
        "validationMessages", validationMessages));
    virtualServices.resource(vs).update();
  }

  private RoutingConfirmation eventually(State state) throws InterruptedException {
    RoutingConfirmation now = router.confirmation(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(20));
    for (int i = 0; i < 200 && now.state() != state; i++) {
      CountDownLatch tick = new CountDownLatch(1);
      tick.await(10, TimeUnit.MILLISECONDS); // the watch delivers on its own thread
      now = router.confirmation(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(20));
    }
    return now;
  }

  @Test
  void aWeightIsPendingUntilIstiodReportsItsGenerationReconciled() throws Exception {
    CountDownLatch told = new CountDownLatch(1);
    try (AutoCloseable watch = router.watchConfirmation(RolloutsDemoSubsetsTest.SPEC, told::countDown)) {
      router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(20));

      RoutingConfirmation pending = eventually(State.PENDING);
      assertThat(pending.state()).isEqualTo(State.PENDING);
      assertThat(pending.message()).contains("VirtualService " + NS + "/" + VS);

      istiodReports("False", List.of());
      assertThat(eventually(State.CONFIRMED).message()).contains("has not reached every proxy yet");

      istiodReports("True", List.of());
      assertThat(eventually(State.CONFIRMED)).isEqualTo(RoutingConfirmation.confirmed());
      assertThat(told.await(5, TimeUnit.SECONDS)).as("the watch told of the status").isTrue();
    }
  }

  @Test
  void aRouterThatDidNotWriteTheVirtualServicesJudgesThemAsTheyAreForARunnerThatResumedAfterAnotherDiedBeforeItsSave()
      throws Exception {
    // The first runner wrote 40 and died before saving it: the status the resumed runner holds says 20.
    router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(40));
    istiodReports("True", List.of());
    try (IstioTrafficRouter resumed = IstioTrafficRouter.builder(cluster.client()).confirmReconciled(true).build()) {
      RoutingConfirmation judged = resumed.confirmation(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(20));
      for (int i = 0; i < 200 && judged.state() != State.CONFIRMED; i++) {
        new CountDownLatch(1).await(10, TimeUnit.MILLISECONDS); // the watch delivers on its own thread
        judged = resumed.confirmation(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(20));
      }
      assertThat(judged).as("the VirtualService as it is, reconciled").isEqualTo(RoutingConfirmation.confirmed());
      assertThat(eventually(State.CONFIRMED).state()).as("the router that wrote 40, asked about 20")
          .isEqualTo(State.PENDING);
    }
  }

  @Test
  void anErrorOfIstiosAnalysisRefusesTheChangeNamingTheCode() throws Exception {
    router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(20));
    istiodReports("True", List.of(Map.of("type", Map.of("code", "IST0101", "name", "ReferencedResourceNotFound"), "level", "ERROR",
        "documentationUrl", "https://istio.io/latest/docs/reference/config/analysis/ist0101/")));

    RoutingConfirmation refused = eventually(State.REFUSED);

    assertThat(refused.state()).isEqualTo(State.REFUSED);
    assertThat(refused.reason()).isEqualTo("IST0101");
    assertThat(refused.message()).contains("VirtualService " + NS + "/" + VS, "Istio's analysis reports",
        "IST0101 ReferencedResourceNotFound (ERROR, https://istio.io/latest/docs/reference/config/analysis/ist0101/)");
  }

  @Test
  void aStatusOfAnEarlierGenerationDoesNotConfirm() throws Exception {
    istiodReports("True", List.of());
    router.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(20));

    RoutingConfirmation pending = eventually(State.CONFIRMED);

    assertThat(pending.state()).isEqualTo(State.PENDING);
    assertThat(pending.message()).contains("istiod has reported on generation");
  }

  @Test
  void offByDefaultAWeightIsConfirmedAtOnceAndNothingIsWatched() throws Exception {
    try (IstioTrafficRouter plain = IstioTrafficRouter.create(cluster.client())) {
      plain.apply(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(20));
      cluster.skipRequests();

      assertThat(plain.confirmation(RolloutsDemoSubsetsTest.SPEC, RoutingStates.during(20))).isEqualTo(RoutingConfirmation.confirmed());
      plain.watchConfirmation(RolloutsDemoSubsetsTest.SPEC, () -> {}).close();
      assertThat(cluster.takeRequests()).isEmpty();
    }
  }
}
