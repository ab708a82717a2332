package io.canary.core;

import io.canary.core.memory.InMemoryStrategy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** One test per validation rule: each names the field or step and says what would be right. */
class SpecValidationTest {
  private static ImmutableCanarySpec.Builder valid() {
    return CanarySpec.builder()
        .name("demo")
        .namespace("shop")
        .target(WorkloadRef.deployment("web"))
        .revision(NewRevision.image("web", "registry/web:2"))
        .traffic(InMemoryStrategy.of("primary"))
        .addSteps(Step.setWeight(20), Step.pause());
  }

  private static List<Problem> problems(UnaryOperator<ImmutableCanarySpec.Builder> change) {
    try {
      change.apply(valid()).build();
      throw new AssertionError("expected the spec to be rejected");
    } catch (CanaryValidationException e) {
      return e.problems();
    }
  }

  private static void assertProblem(UnaryOperator<ImmutableCanarySpec.Builder> change, String where, String text) {
    assertThat(problems(change)).anySatisfy(p -> {
      assertThat(p.where()).isEqualTo(where);
      assertThat(p.message()).contains(text);
    });
  }

  @Test
  void aValidSpecBuilds() {
    assertThat(valid().build().steps()).hasSize(2);
  }

  @Test
  void weightAbove100IsRejectedWithItsStepIndex() {
    assertProblem(b -> b.addSteps(Step.setWeight(120)), "step 3 (setWeight 120).weight", "within 0..100, was 120");
  }

  @Test
  void negativeWeightIsRejected() {
    assertProblem(b -> b.addSteps(Step.setWeight(-5)), "step 3 (setWeight -5).weight", "within 0..100, was -5");
  }

  @Test
  void rolloutNameMustBeADnsLabel() {
    assertProblem(b -> b.name("Demo_1"), "name", "'Demo_1' is not a DNS-1123 label");
  }

  @Test
  void namespaceMustBeADnsLabel() {
    assertProblem(b -> b.namespace("shop.prod"), "namespace", "'shop.prod' is not a DNS-1123 label");
  }

  @Test
  void targetNameMustBeADnsName() {
    assertProblem(b -> b.target(WorkloadRef.deployment("Web App")), "target.name", "is not a DNS-1123 name");
  }

  @Test
  void theTargetNeedsAKind() {
    assertProblem(b -> b.target(new WorkloadRef(" ", "web")), "target.kind", "must name the workload's kind");
  }

  @Test
  void headerRouteStepWithoutANameIsRejected() {
    assertProblem(b -> b.addSteps(Step.setHeaderRoute("", RouteMatch.header("x-canary", StringMatch.exact("1")))),
        "step 3 (setHeaderRoute ).name", "a header route needs a name");
  }

  @Test
  void mirrorRouteStepWithoutANameIsRejected() {
    assertProblem(b -> b.addSteps(Step.setMirrorRoute(" ", 10, RouteMatch.header("x-m", StringMatch.exact("1")))),
        "step 3 (setMirrorRoute   10.0%).name", "a mirror route needs a name");
  }

  @Test
  void aRouteNameCannotBeBothAHeaderAndAMirrorRoute() {
    assertProblem(b -> b.addSteps(Step.setHeaderRoute("beta", RouteMatch.header("x-b", StringMatch.exact("1"))),
            Step.setMirrorRoute("beta", 5, RouteMatch.header("x-b", StringMatch.exact("1")))),
        "step 4 (setMirrorRoute beta 5.0%).name", "already names a header route");
  }

  @Test
  void mirrorPercentOutsideRangeIsRejected() {
    assertProblem(b -> b.addSteps(Step.setMirrorRoute("m", 150, RouteMatch.header("x-m", StringMatch.exact("1")))),
        "step 3 (setMirrorRoute m 150.0%).percent", "within 0..100");
  }

  @Test
  void headerRouteCanaryWeightOutsideRangeIsRejected() {
    assertProblem(b -> b.addSteps(Step.setHeaderRoute("beta", 101, RouteMatch.header("x-b", StringMatch.exact("1")))),
        "step 3 (setHeaderRoute beta).canaryWeight", "within 0..100, was 101");
  }

  @Test
  void aMatchWithoutConditionsIsRejected() {
    assertProblem(b -> b.addSteps(Step.setHeaderRoute("beta", RouteMatch.builder().build())),
        "step 3 (setHeaderRoute beta).matches[0]", "at least one header, uri or method condition");
  }

  @Test
  void aRegexThatDoesNotCompileIsRejected() {
    assertProblem(b -> b.addSteps(Step.setHeaderRoute("beta", RouteMatch.header("cookie", StringMatch.regex("(unclosed")))),
        "step 3 (setHeaderRoute beta).matches[0].headers[cookie]", "does not compile");
  }

  @Test
  void upperCaseHeaderNamesAreRejected() {
    assertProblem(b -> b.addSteps(Step.setHeaderRoute("beta", RouteMatch.header("X-Canary", StringMatch.exact("1")))),
        "step 3 (setHeaderRoute beta).matches[0].headers[X-Canary]", "lower case");
  }

  @Test
  void theStrategysOwnProblemsAreReportedUnderTraffic() {
    assertProblem(b -> b.traffic(InMemoryStrategy.of("primary", "primary")), "traffic.routes[1]", "named twice");
  }

  @Test
  void negativePauseIsRejected() {
    assertProblem(b -> b.addSteps(Step.pause(Duration.ofSeconds(-10))), "step 3 (pause -10s).duration", "must not be negative");
  }

  @Test
  void negativeScaleDownDelayIsRejected() {
    assertProblem(b -> b.scaleDownDelay(Duration.ofSeconds(-1)), "scaleDownDelay", "must not be negative");
  }

  @Test
  void negativeAbortDelayIsRejected() {
    assertProblem(b -> b.abortScaleDownDelay(Duration.ofSeconds(-1)), "abortScaleDownDelay", "must not be negative");
  }

  @Test
  void progressDeadlineMustBePositive() {
    assertProblem(b -> b.progressDeadline(Duration.ZERO), "progressDeadline", "must be positive");
  }

  @Test
  void revisionNeedsExactlyOneKind() {
    assertProblem(b -> b.revision(ImmutableNewRevision.builder().build()), "revision",
        "exactly one of images, podTemplate or existingWorkload (0 given)");
  }

  @Test
  void anImageWithSpacesIsRejected() {
    assertProblem(b -> b.revision(NewRevision.image("web", "registry/web: 2")), "revision.images[web]", "without spaces");
  }

  @Test
  void canaryScaleNeedsExactlyOneForm() {
    assertProblem(b -> b.addSteps(new Step.SetCanaryScale(java.util.Optional.of(2), java.util.Optional.of(50), false)),
        "step 3 (setCanaryScale replicas 2)", "exactly one of replicas, percent or matchTrafficWeight (2 given)");
  }

  @Test
  void aWeightAfterScalingTheCanaryToZeroCanNeverFinish() {
    assertProblem(b -> b.steps(List.of(Step.setCanaryScaleReplicas(0), Step.setWeight(30))), "step 2 (setWeight 30)",
        "can never finish");
  }

  @Test
  void analysisNeedsAPositiveInterval() {
    AnalysisSpec analysis = AnalysisSpec.builder().name("errors").gate(ctx -> null).interval(Duration.ZERO).build();
    assertProblem(b -> b.addSteps(Step.analysis(analysis)), "step 3 (analysis errors).analysis.interval", "must be positive");
  }

  @Test
  void surgeMustBeACountOrAPercent() {
    assertProblem(b -> b.maxSurge("lots"), "maxSurge", "must be a count (3) or a percent (25%)");
  }

  @Test
  void surgeAndUnavailableCannotBothBeZero() {
    assertProblem(b -> b.maxSurge("0").maxUnavailable("0%"), "maxSurge", "cannot both be 0");
  }

  /** A canary autoscaler of a module core does not know, with its own rule about its bounds. */
  record Bounded(int min, int max) implements CanaryAutoscaler {
    @Override
    public String kind() {
      return "Bounded";
    }

    @Override
    public List<Problem> validate() {
      return min <= max ? List.of() : List.of(Problem.of("min", "is " + min + ", above max " + max));
    }

    @Override
    public String canonicalForm() {
      return min + ".." + max;
    }
  }

  @Test
  void theCanaryAutoscalersOwnProblemsAreReportedUnderScaling() {
    assertProblem(b -> b.scaling(ScalingOptions.builder().canaryAutoscaler(new Bounded(5, 2)).build()),
        "scaling.canaryAutoscaler.min", "above max 2");
  }

  @Test
  void theCanaryAutoscalerIsPartOfTheReleaseAndASpecWithoutOneKeepsItsFingerprint() {
    CanarySpec without = valid().build();
    String before = io.canary.core.internal.SpecFingerprint.of(without);
    CanarySpec with = CanarySpec.copyOf(without)
        .withScaling(ScalingOptions.builder().canaryAutoscaler(new Bounded(2, 4)).build());
    CanarySpec other = CanarySpec.copyOf(without)
        .withScaling(ScalingOptions.builder().canaryAutoscaler(new Bounded(2, 5)).build());

    assertThat(io.canary.core.internal.SpecFingerprint.of(CanarySpec.copyOf(without)
        .withScaling(ScalingOptions.builder().preScale(true).build()))).isEqualTo(before);
    assertThat(io.canary.core.internal.SpecFingerprint.canonicalForm(with)).endsWith("canaryAutoscaler: Bounded 2..4\n");
    assertThat(io.canary.core.internal.SpecFingerprint.of(with)).isNotEqualTo(before)
        .isNotEqualTo(io.canary.core.internal.SpecFingerprint.of(other));
  }

  @Test
  void preScaleCapMustBePositive() {
    assertProblem(b -> b.scaling(ScalingOptions.builder().preScaleCap(0).build()), "scaling.preScaleCap", "at least 1");
  }

  @Test
  void everyProblemIsReportedAtOnceNamingTheSpec() {
    assertThatThrownBy(() -> valid().name("Bad").addSteps(Step.setWeight(101), Step.pause(Duration.ofSeconds(-1))).build())
        .isInstanceOf(CanaryValidationException.class)
        .hasMessageContaining("CanarySpec shop/Bad is invalid (3 problems)")
        .hasMessageContaining("name: 'Bad'")
        .hasMessageContaining("step 3 (setWeight 101).weight")
        .hasMessageContaining("step 4 (pause -1s).duration");
  }
}
