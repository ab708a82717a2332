package io.canary.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.core.AnalysisSpec;
import io.canary.core.CanarySpec;
import io.canary.core.DriftPolicy;
import io.canary.core.GateSpec;
import io.canary.core.NewRevision;
import io.canary.core.Step;
import io.canary.core.WorkloadRef;
import io.canary.core.analysis.LifecyclePoint;
import io.canary.core.analysis.SequentialJudge;
import io.canary.core.analysis.ThresholdGate;
import io.canary.core.analysis.WebhookGate;
import io.canary.core.spi.Verdict;
import io.canary.hpa.HpaSettings;
import io.canary.istio.IstioStrategy;
import io.canary.istio.SubsetStrategy;
import io.canary.istio.VirtualServiceRef;
import io.canary.kubernetes.PodTemplate;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SpecFileRoundTripTest {

  static java.util.List<Path> validSpecs() {
    return SpecFiles.validSpecs();
  }

  @ParameterizedTest
  @MethodSource("validSpecs")
  void aSpecWrittenAsYamlAndAsJsonReadsBackEqual(Path file) {
    CanarySpec spec = SpecFile.read(file);

    String yaml = SpecFile.toYaml(spec);
    assertThat(SpecFile.parse(yaml, "written.yaml", SpecOptions.defaults())).isEqualTo(spec);
    assertThat(SpecFile.parse(SpecFile.toJson(spec), "written.json", SpecOptions.defaults())).isEqualTo(spec);
    assertThat(SpecFile.toYaml(SpecFile.parse(yaml, "written.yaml", SpecOptions.defaults()))).isEqualTo(yaml);
  }

  @Test
  void everyOptionOfTheFileReachesTheSpec() {
    CanarySpec spec = SpecFile.read(SpecFiles.resource("every-option.yaml"));

    assertThat(spec.key().toString()).isEqualTo("shop/checkout");
    assertThat(spec.revision().podTemplate()).get().isInstanceOf(PodTemplate.class).satisfies(t ->
        assertThat(((PodTemplate) t).template().getSpec().getContainers().get(0).getImage()).isEqualTo("example/checkout:2.0.0"));
    SubsetStrategy traffic = (SubsetStrategy) spec.traffic();
    assertThat(traffic.stableSubset()).isEqualTo("v1");
    assertThat(traffic.virtualServices().get(1).namespace()).contains("edge");
    assertThat(traffic.virtualServices().get(1).tlsRoutes().get(0).sniHosts()).containsExactly("checkout.example.com");
    assertThat(traffic.virtualServices().get(1).tcpRoutes()).containsExactly(3306);
    assertThat(spec.steps()).extracting(Step::describe).containsExactly(
        "setCanaryScale replicas 2", "setWeight 10", "pause 1m30s", "setCanaryScale 50%", "setHeaderRoute beta-users",
        "setMirrorRoute shadow 12.5%", "analysis judge", "setCanaryScale matchTrafficWeight", "setWeight 50",
        "analysis slo", "analysis flagger", "analysis load-test", "setHeaderRoute beta-users (remove)",
        "setMirrorRoute shadow (remove)", "pause (until promoted)");
    Step.SetHeaderRoute header = (Step.SetHeaderRoute) spec.steps().get(4);
    assertThat(header.canaryWeight()).isEqualTo(80);
    assertThat(header.matches().get(0).headers()).containsKeys("x-beta", "cookie");
    assertThat(header.matches().get(0).method().get().value()).isEqualTo("GET");

    AnalysisSpec judge = ((Step.Analysis) spec.steps().get(6)).analysis();
    assertThat(judge.initialDelay()).isEqualTo(Duration.ofMinutes(1));
    assertThat(judge.successfulRuns()).isEqualTo(4);
    DeclaredGate declared = (DeclaredGate) judge.gate();
    assertThat(declared.gate()).isInstanceOfSatisfying(SequentialJudge.class, j -> {
      assertThat(j.alpha()).isEqualTo(0.005);
      assertThat(j.minRequests()).isEqualTo(200);
      assertThat(j.compareLatency()).isTrue();
    });
    assertThat(declared.declaration()).containsEntry("prometheusUrl", "http://prometheus.istio-system:9090");
    DeclaredGate slo = (DeclaredGate) ((Step.Analysis) spec.steps().get(9)).analysis().gate();
    assertThat(slo.gate()).isInstanceOfSatisfying(ThresholdGate.class, g -> {
      assertThat(g.consecutiveErrorLimit()).isEqualTo(2);
      assertThat(g.rules()).extracting(r -> r.name() + " " + r.comparison().symbol() + " " + r.threshold())
          .containsExactly("success-rate >= 0.99", "p99 <= 500.0");
    });
    DeclaredGate flagger = (DeclaredGate) ((Step.Analysis) spec.steps().get(10)).analysis().gate();
    assertThat(flagger.declaration()).containsEntry("prometheusUrl", "http://prometheus.monitoring:9090");
    assertThat(((Step.Analysis) spec.steps().get(11)).analysis().gate()).isInstanceOfSatisfying(WebhookGate.class, w -> {
      assertThat(w.onUnavailable()).isEqualTo(Verdict.FAIL);
      assertThat(w.metadata()).containsKey("cmd");
    });

    assertThat(spec.analysis()).get().extracting(AnalysisSpec::interval).isEqualTo(Duration.ofMinutes(2));
    assertThat(spec.gates()).extracting(GateSpec::point).containsExactly(LifecyclePoint.PRE_ROLLOUT,
        LifecyclePoint.CONFIRM_TRAFFIC_INCREASE, LifecyclePoint.CONFIRM_PROMOTION, LifecyclePoint.POST_ROLLOUT,
        LifecyclePoint.ROLLBACK);
    assertThat(spec.gates().get(0).interval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(spec.scaling().preScale()).isFalse();
    assertThat(spec.scaling().preScaleCap()).contains(8);
    assertThat(spec.scaling().dynamicStableScale()).isTrue();
    assertThat(spec.scaling().canaryAutoscaler()).get().isInstanceOfSatisfying(HpaSettings.class,
        h -> assertThat(h.spec().getMaxReplicas()).isEqualTo(9));
    assertThat(spec.scaleDownDelay()).isEqualTo(Duration.ofMinutes(2));
    assertThat(spec.abortScaleDownDelay()).isEqualTo(Duration.ofSeconds(15));
    assertThat(spec.progressDeadline()).isEqualTo(Duration.ofMinutes(20));
    assertThat(spec.maxSurge()).contains("25%");
    assertThat(spec.maxUnavailable()).contains("0");
    assertThat(spec.driftPolicy()).contains(DriftPolicy.PAUSE);
  }

  @Test
  void theCommandLinesPrometheusTakesThePlaceOfTheFilesAndIsPartOfTheDeclaredForm() {
    SpecOptions flag = SpecOptions.builder().prometheusUrl(URI.create("http://localhost:9090")).build();
    CanarySpec spec = SpecFile.read(SpecFiles.resource("every-option.yaml"), flag);

    assertThat(((DeclaredGate) spec.analysis().get().gate()).declaration()).containsEntry("prometheusUrl", "http://localhost:9090");
    assertThat(spec).isNotEqualTo(SpecFile.read(SpecFiles.resource("every-option.yaml")));
    assertThat(SpecFile.toYaml(spec)).contains("prometheus:\n  url: http://localhost:9090\n").doesNotContain("prometheusUrl");
  }

  @Test
  void aSpecBuiltInJavaWithWebhookGatesRoundTrips() {
    WebhookGate hook = WebhookGate.builder().name("approve").url(URI.create("https://hooks.example.com/a"))
        .timeout(Duration.ofSeconds(5)).maxAttempts(1).putMetadata("team", "web").build();
    CanarySpec spec = CanarySpec.builder().name("web").namespace("prod")
        .target(WorkloadRef.deployment("web"))
        .revision(NewRevision.image("web", "example/web:2"))
        .traffic(IstioStrategy.subsets("web", "web", VirtualServiceRef.of("web")))
        .addSteps(Step.setWeight(30), Step.analysis(AnalysisSpec.builder().name("hook").gate(hook)
            .interval(Duration.ofSeconds(20)).failureLimit(2).build()), Step.pause())
        .addGates(GateSpec.at(LifecyclePoint.CONFIRM_PROMOTION, "approve", hook))
        .build();

    assertThat(SpecFile.parse(SpecFile.toYaml(spec), "web.yaml", SpecOptions.defaults())).isEqualTo(spec);
  }

  @Test
  void aGateWrittenInJavaHasNoFileFormAndTheWriterSaysWhich() {
    CanarySpec spec = CanarySpec.builder().name("web").target(WorkloadRef.deployment("web"))
        .revision(NewRevision.image("web", "example/web:2"))
        .traffic(IstioStrategy.subsets("web", "web", VirtualServiceRef.of("web")))
        .addSteps(Step.analysis(AnalysisSpec.of("lambda", ctx -> null)))
        .build();

    assertThatThrownBy(() -> SpecFile.toYaml(spec)).hasMessageContaining("analysis 'lambda' has a gate written in Java")
        .hasMessageContaining("sequentialJudge, thresholds, flagger or webhook");
  }
}
