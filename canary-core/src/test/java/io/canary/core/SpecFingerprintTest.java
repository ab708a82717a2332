package io.canary.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.internal.SpecFingerprint;
import io.canary.core.memory.InMemoryStrategy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The fingerprint hashes an explicit canonical form: pinned, so that no library change moves it unnoticed. */
class SpecFingerprintTest {
  private static CanarySpec spec() {
    return CanarySpec.builder()
        .name("web").namespace("shop")
        .target(WorkloadRef.deployment("web"))
        .revision(NewRevision.image("web", "registry/web:2"))
        .traffic(InMemoryStrategy.of("primary"))
        .addSteps(Step.setWeight(20), Step.pause(Duration.ofSeconds(30)), Step.pause(),
            Step.setHeaderRoute("beta", 50, RouteMatch.header("x-beta", StringMatch.exact("1"))),
            Step.setMirrorRoute("shadow", 10, RouteMatch.header("x-shadow", StringMatch.prefix("y"))),
            Step.setCanaryScaleReplicas(3))
        .build();
  }

  @Test
  void theCanonicalFormNamesEveryFieldExplicitly() {
    assertThat(SpecFingerprint.canonicalForm(spec())).isEqualTo("""
        rollout: shop/web
        target: Deployment/web
        images: web=registry/web:2
        template:\s
        existingWorkload:\s
        traffic: in-memory(routes=primary)
        step 0: setWeight 20
        step 1: pause PT30S
        step 2: pause untilPromoted
        step 3: setHeaderRoute beta canaryWeight=50 matches={headers=x-beta:EXACT=1 uri= method=}
        step 4: setMirrorRoute shadow percent=10.0 matches={headers=x-shadow:PREFIX=y uri= method=}
        step 5: setCanaryScale replicas=3 percent= matchTrafficWeight=false
        analysis:\s
        """);
  }

  @Test
  void theFingerprintIsPinned() {
    assertThat(SpecFingerprint.of(spec())).isEqualTo("v2-0c614d2d643f2d46");
  }

  @Test
  void anyChangeOfTheReleaseChangesIt() {
    String base = SpecFingerprint.of(spec());
    assertThat(SpecFingerprint.of(CanarySpec.copyOf(spec()).withRevision(NewRevision.image("web", "registry/web:3"))))
        .isNotEqualTo(base);
    assertThat(SpecFingerprint.of(CanarySpec.copyOf(spec()).withSteps(Step.setWeight(30)))).isNotEqualTo(base);
    assertThat(SpecFingerprint.of(CanarySpec.copyOf(spec()).withTraffic(InMemoryStrategy.of("other")))).isNotEqualTo(base);
    assertThat(SpecFingerprint.of(CanarySpec.copyOf(spec()).withScaleDownDelay(Duration.ofMinutes(5))))
        .as("delays are not the release: a runner may resume with other delays").isEqualTo(base);
  }

  @Test
  void aStatusOfRelease01IsRecognisedByTheFingerprintItStored() {
    CanarySpec spec = spec();
    assertThat(SpecFingerprint.matches(SpecFingerprint.of(spec), spec)).isTrue();
    assertThat(SpecFingerprint.matches("0123456789abcdef", spec)).as("a 0.1 fingerprint of another spec").isFalse();
  }
}
