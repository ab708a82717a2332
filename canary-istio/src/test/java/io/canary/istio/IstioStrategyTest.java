package io.canary.istio;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanarySpec;
import io.canary.core.CanaryValidationException;
import io.canary.core.ImmutableCanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Problem;
import io.canary.core.Step;
import io.canary.core.TrafficStrategy;
import io.canary.core.WorkloadRef;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One test per rule of the Istio strategies' own validation, run when the spec is built. */
class IstioStrategyTest {
  private static ImmutableCanarySpec.Builder valid() {
    return CanarySpec.builder()
        .name("demo")
        .namespace("shop")
        .target(WorkloadRef.deployment("web"))
        .revision(NewRevision.image("web", "registry/web:2"))
        .traffic(IstioStrategy.subsets("web", "web-dr", VirtualServiceRef.of("web-vs", "primary")))
        .addSteps(Step.setWeight(20), Step.pause());
  }

  private static List<Problem> problems(TrafficStrategy strategy) {
    try {
      valid().traffic(strategy).build();
      throw new AssertionError("expected the spec to be rejected");
    } catch (CanaryValidationException e) {
      return e.problems();
    }
  }

  private static void assertProblem(TrafficStrategy strategy, String where, String text) {
    assertThat(problems(strategy)).anySatisfy(p -> {
      assertThat(p.where()).isEqualTo(where);
      assertThat(p.message()).contains(text);
    });
  }

  @Test
  void aValidStrategyBuilds() {
    assertThat(valid().build().traffic().kind()).isEqualTo("subsets");
  }

  @Test
  void subsetStrategyNeedsDistinctSubsets() {
    assertProblem(SubsetStrategy.builder().service("web").destinationRule("web-dr").stableSubset("v1")
            .canarySubset("v1").addVirtualServices(VirtualServiceRef.of("web-vs")).build(),
        "traffic.canarySubset", "must differ from stableSubset ('v1')");
  }

  @Test
  void subsetStrategyNeedsAServiceName() {
    assertProblem(IstioStrategy.subsets("", "web-dr", VirtualServiceRef.of("web-vs")),
        "traffic.service", "'' is not a DNS-1123 name");
  }

  @Test
  void serviceStrategyNeedsTwoDifferentServices() {
    assertProblem(IstioStrategy.services("web", "web", VirtualServiceRef.of("web-vs")),
        "traffic.canaryService", "must differ from stableService ('web')");
  }

  @Test
  void aStrategyNeedsAVirtualService() {
    assertProblem(IstioStrategy.subsets("web", "web-dr"), "traffic.virtualServices", "name at least one VirtualService");
  }

  @Test
  void aVirtualServiceNamedTwiceIsRejected() {
    assertProblem(IstioStrategy.subsets("web", "web-dr", VirtualServiceRef.of("web-vs", "a"), VirtualServiceRef.of("web-vs", "b")),
        "traffic.virtualServices[1]", "named twice");
  }

  @Test
  void aRouteNamedTwiceIsRejected() {
    assertProblem(IstioStrategy.subsets("web", "web-dr", VirtualServiceRef.of("web-vs", "a", "a")),
        "traffic.virtualServices[0].httpRoutes", "route 'a' is named twice");
  }

  @Test
  void tcpRoutePortOutOfRangeIsRejected() {
    assertProblem(IstioStrategy.subsets("web", "web-dr", VirtualServiceRef.builder().name("web-vs").addTcpRoutes(70000).build()),
        "traffic.virtualServices[0].tcpRoutes", "port 70000 is outside 1..65535");
  }

  @Test
  void tlsRoutePortOutOfRangeIsRejected() {
    assertProblem(IstioStrategy.subsets("web", "web-dr",
            VirtualServiceRef.builder().name("web-vs").addTlsRoutes(TlsRoute.of(0, "web.example.com")).build()),
        "traffic.virtualServices[0].tlsRoutes", "port 0 is outside 1..65535");
  }

  @Test
  void theCanonicalFormNamesEveryFieldAndDiffersWhenOneDoes() {
    SubsetStrategy a = IstioStrategy.subsets("web", "web-dr", VirtualServiceRef.of("web-vs", "primary"));
    assertThat(a.canonicalForm()).isEqualTo("istio-subsets(service=web destinationRule=web-dr stableSubset=stable"
        + " canarySubset=canary virtualServices=/web-vs{http=primary tls= tcp=})");
    assertThat(IstioStrategy.subsets("web", "web-dr", VirtualServiceRef.of("web-vs", "other")).canonicalForm())
        .isNotEqualTo(a.canonicalForm());
    assertThat(IstioStrategy.services("web", "web-canary", VirtualServiceRef.of("web-vs", "primary")).canonicalForm())
        .isEqualTo("istio-services(stableService=web canaryService=web-canary virtualServices=/web-vs{http=primary tls= tcp=})");
  }
}
