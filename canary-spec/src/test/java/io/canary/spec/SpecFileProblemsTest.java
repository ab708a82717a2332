package io.canary.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpecFileProblemsTest {

  private static List<SpecProblem> problems(String yaml) {
    return catchThrowableOfType(SpecFileException.class,
        () -> SpecFile.parse(yaml, "canary.yaml", SpecOptions.defaults())).fileProblems();
  }

  @Test
  void everyProblemOfTheFileAndOfTheSpecIsReportedAtOnceWithItsPathAndLine() {
    SpecFileException e = catchThrowableOfType(SpecFileException.class,
        () -> SpecFile.read(SpecFiles.resource("invalid.yaml")));

    assertThat(e.fileProblems()).extracting(p -> p.line() + " " + p.path()).containsExactly(
        "1 name",
        "3 target.replicas",
        "11 steps[0].setWeight",
        "12 steps[1].pause.duration",
        "13 steps[2].setWeight",
        "14 steps[3]",
        "14 steps[3].jump",
        "18 steps[4].analysis.gate.sequentialJudge",
        "18 steps[4].analysis.gate.sequentialJudge",
        "19 progressDeadline");
    assertThat(e.fileProblems().get(0).message()).contains("'Bad_Name' is not a DNS-1123 label");
    assertThat(e.fileProblems().get(1).message()).isEqualTo("unknown field 'replicas'; Target takes kind, name");
    assertThat(e.fileProblems().get(2).message()).contains("must be within 0..100, was 120").contains("(step 1 (setWeight 120).weight)");
    assertThat(e.fileProblems().get(3).message()).contains("'soon' is not a duration");
    assertThat(e.fileProblems().get(4).message()).isEqualTo("must be a whole number, was 'twenty'");
    assertThat(e.fileProblems().get(5).message()).contains("no step kind given")
        .contains("setWeight, pause, setCanaryScale, analysis, setHeaderRoute, setMirrorRoute");
    assertThat(e.fileProblems().get(6).message()).startsWith("unknown field 'jump'");
    assertThat(e.fileProblems()).filteredOn(p -> p.line() == 18).extracting(SpecProblem::message).containsExactlyInAnyOrder(
        "needs a Prometheus to read Istio's metrics from: set prometheus.url in the file, prometheusUrl here, or --prometheus URL on the command line",
        "SequentialJudge.alpha must be within (0, 0.5], was 0.9");
    assertThat(e.getMessage()).startsWith("src/test/resources/specs/invalid.yaml is invalid (10 problems):\n")
        .contains("  - src/test/resources/specs/invalid.yaml:11:16: steps[0].setWeight: must be within 0..100");
  }

  @Test
  void validationProblemsOfStepsAfterAnUnreadableStepPointAtTheirOwnLines() {
    List<SpecProblem> problems = problems("""
        name: web
        target: {name: web}
        revision: {images: {web: "example/web:2"}}
        traffic: {istio: {subsets: {service: web, destinationRule: web}, virtualServices: [{name: web}]}}
        steps:
          - setWeight: x
          - setWeight: 20
          - setHeaderRoute: {name: Beta, matches: [{headers: {X-Beta: {exact: "1"}}}]}
        """);

    assertThat(problems).extracting(p -> p.line() + " " + p.path()).containsExactly(
        "6 steps[0].setWeight", "8 steps[2].setHeaderRoute.name", "8 steps[2].setHeaderRoute.matches[0].headers.X-Beta");
  }

  @Test
  void missingFieldsAndStrategiesAreNamedWithWhatWouldBeRight() {
    List<SpecProblem> problems = problems("""
        name: web
        revision: {}
        traffic: {istio: {virtualServices: [{name: web}]}, gatewayApi: {}}
        steps: []
        """);

    assertThat(problems).extracting(SpecProblem::toString).containsExactly(
        "canary.yaml:1:1: (top level): 'target' is required: the stable Deployment: target: {name: my-app}",
        "canary.yaml:2:11: revision: give one of images, podTemplate or existingWorkload",
        "canary.yaml:3:10: traffic: more than one traffic strategy given (istio, gatewayApi); give exactly one of istio, gatewayApi");
  }

  @Test
  void aFileThatIsNotWellFormedSaysWhereTheParserStopped() {
    List<SpecProblem> problems = problems("name: web\nsteps: [\n  - setWeight: 1\n");

    assertThat(problems).singleElement().satisfies(p -> {
      assertThat(p.line()).isGreaterThanOrEqualTo(2);
      assertThat(p.message()).startsWith("not well-formed YAML");
    });
  }

  @Test
  void metricGatesWithoutAPrometheusSayHowToNameOne() {
    List<SpecProblem> problems = problems("""
        name: web
        target: {name: web}
        revision: {images: {web: "example/web:2"}}
        traffic: {istio: {subsets: {service: web, destinationRule: web}, virtualServices: [{name: web}]}}
        steps:
          - analysis:
              name: judge
              gate: {sequentialJudge: {}}
        """);

    assertThat(problems).singleElement().satisfies(p -> {
      assertThat(p.path()).isEqualTo("steps[0].analysis.gate.sequentialJudge");
      assertThat(p.line()).isEqualTo(8);
      assertThat(p.message()).contains("set prometheus.url in the file, prometheusUrl here, or --prometheus URL");
    });
  }
}
