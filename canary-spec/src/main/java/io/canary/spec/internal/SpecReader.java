package io.canary.spec.internal;

import io.canary.core.AnalysisSpec;
import io.canary.core.CanarySpec;
import io.canary.core.CanaryValidationException;
import io.canary.core.DriftPolicy;
import io.canary.core.GateSpec;
import io.canary.core.NewRevision;
import io.canary.core.Problem;
import io.canary.core.ScalingOptions;
import io.canary.core.Step;
import io.canary.core.WorkloadRef;
import io.canary.core.analysis.LifecyclePoint;
import io.canary.hpa.HpaSettings;
import io.canary.kubernetes.PodTemplate;
import io.canary.spec.SpecOptions;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads the top of a spec file into a {@link CanarySpec}, every problem gathered in {@link Problems};
 * then builds the spec and maps the spec's own validation problems back to the file's lines.
 */
public final class SpecReader {
  public static final String API_VERSION = "canary.io/v1alpha1";
  public static final String KIND = "CanaryRelease";
  static final Map<String, DriftPolicy> DRIFT_POLICIES = Map.of("revert", DriftPolicy.REVERT, "pause", DriftPolicy.PAUSE);
  static final Map<String, LifecyclePoint> POINTS = Arrays.stream(LifecyclePoint.values())
      .filter(p -> p != LifecyclePoint.ANALYSIS)
      .collect(Collectors.toMap(LifecyclePoint::flaggerName, p -> p, (a, b) -> a, LinkedHashMap::new));

  private final Problems problems;
  private final SpecOptions options;
  private final StepReader steps;
  private GateReader gates;

  public SpecReader(Problems problems, SpecOptions options) {
    this.problems = problems;
    this.options = options;
    this.steps = new StepReader(problems);
  }

  /** The spec, or empty when any problem was found (they are all in {@code problems}). */
  public Optional<CanarySpec> read(Node top) {
    Optional<Obj> found = Obj.of(top, "CanarySpec", problems);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Obj o = found.get();
    o.string("apiVersion").filter(v -> !v.equals(API_VERSION))
        .ifPresent(v -> problems.at(o.get("apiVersion").get(), "'" + v + "' is not supported; use " + API_VERSION));
    o.string("kind").filter(v -> !v.equals(KIND))
        .ifPresent(v -> problems.at(o.get("kind").get(), "'" + v + "' is not supported; use " + KIND));
    Optional<URI> prometheus = o.obj("prometheus", "Prometheus").flatMap(p -> p.uri("url"));
    gates = new GateReader(options, prometheus);
    steps.gates(gates);

    var b = CanarySpec.builder();
    o.requireString("name", "the rollout's name (a DNS-1123 label)").ifPresent(b::name);
    o.string("namespace").ifPresent(b::namespace);
    o.require("target", "the stable Deployment: target: {name: my-app}")
        .flatMap(n -> Obj.of(n, "Target", problems)).flatMap(this::target).ifPresent(b::target);
    o.require("revision", "images, podTemplate or existingWorkload")
        .flatMap(n -> Obj.of(n, "Revision", problems)).flatMap(this::revision).ifPresent(b::revision);
    o.require("traffic", "istio or gatewayApi").flatMap(n -> Obj.of(n, "Traffic", problems))
        .flatMap(t -> new TrafficReader(problems).read(t)).ifPresent(b::traffic);
    o.require("steps", "the plan: setWeight, pause... (an empty list promotes at once)");
    List<Integer> stepItems = new ArrayList<>();
    List<Node> stepNodes = o.list("steps", Optional::of);
    for (int i = 0; i < stepNodes.size(); i++) {
      Optional<Step> step = steps.step(stepNodes.get(i));
      if (step.isPresent()) {
        b.addSteps(step.get());
        stepItems.add(i);
      }
    }
    o.obj("analysis", "Analysis").flatMap(steps::analysis).ifPresent(b::analysis);
    List<Integer> gateItems = new ArrayList<>();
    List<Node> gateNodes = o.list("gates", Optional::of);
    for (int i = 0; i < gateNodes.size(); i++) {
      Optional<GateSpec> gate = Obj.of(gateNodes.get(i), "Gate", problems).flatMap(this::gate);
      if (gate.isPresent()) {
        b.addGates(gate.get());
        gateItems.add(i);
      }
    }
    o.obj("scaling", "Scaling").flatMap(this::scaling).ifPresent(b::scaling);
    o.duration("scaleDownDelay").ifPresent(b::scaleDownDelay);
    o.duration("abortScaleDownDelay").ifPresent(b::abortScaleDownDelay);
    o.duration("progressDeadline").ifPresent(b::progressDeadline);
    o.stringOrNumber("maxSurge").ifPresent(b::maxSurge);
    o.stringOrNumber("maxUnavailable").ifPresent(b::maxUnavailable);
    o.choice("driftPolicy", DRIFT_POLICIES).ifPresent(b::driftPolicy);
    // Built even after reading problems, from what could be read, so that the spec's own problems
    // are reported with them; a required field that could not be read leaves nothing to build.
    try {
      CanarySpec spec = b.build();
      return problems.isEmpty() ? Optional.of(spec) : Optional.empty();
    } catch (CanaryValidationException e) {
      Locator locator = new Locator(top, stepItems, gateItems);
      for (Problem p : e.problems()) {
        problems.at(locator.find(p.where()), p.message() + " (" + p.where() + ")");
      }
      return Optional.empty();
    } catch (IllegalStateException e) {
      if (problems.isEmpty()) {
        throw e;
      }
      return Optional.empty();
    }
  }

  private Optional<WorkloadRef> target(Obj o) {
    Optional<String> name = o.requireString("name", "the stable Deployment's name");
    String kind = o.string("kind").orElse(WorkloadRef.DEPLOYMENT);
    return name.map(n -> new WorkloadRef(kind, n));
  }

  private Optional<NewRevision> revision(Obj o) {
    var b = io.canary.core.ImmutableNewRevision.builder();
    b.putAllImages(o.stringMap("images"));
    o.get("podTemplate").flatMap(n -> converted(n, PodTemplateSpec.class)).map(PodTemplate::of).ifPresent(b::podTemplate);
    o.string("existingWorkload").ifPresent(b::existingWorkload);
    if (o.given().isEmpty()) {
      problems.at(o.node(), "give one of images, podTemplate or existingWorkload");
      return Optional.empty();
    }
    return Optional.of(b.build());
  }

  private Optional<GateSpec> gate(Obj o) {
    var b = GateSpec.builder();
    Optional<LifecyclePoint> point = o.require("point", String.join(", ", POINTS.keySet())).flatMap(n -> o.choice("point", POINTS));
    Optional<String> name = o.requireString("name", "it names the gate in events and the status");
    o.duration("interval").ifPresent(b::interval);
    Optional<?> hook = o.require("webhook", "the hook asked at that point: webhook: {name, url}")
        .flatMap(n -> Obj.of(n, "Webhook", problems)).flatMap(GateReader::webhook);
    if (point.isEmpty() || name.isEmpty() || hook.isEmpty()) {
      return Optional.empty();
    }
    return GateReader.built(o, () -> b.point(point.get()).name(name.get())
        .gate((io.canary.core.analysis.WebhookGate) hook.get()).build());
  }

  private Optional<ScalingOptions> scaling(Obj o) {
    var b = ScalingOptions.builder();
    o.bool("preScale").ifPresent(b::preScale);
    o.integer("preScaleCap").ifPresent(b::preScaleCap);
    o.bool("dynamicStableScale").ifPresent(b::dynamicStableScale);
    o.duration("stableScaleDownDelay").ifPresent(b::stableScaleDownDelay);
    o.get("canaryAutoscaler").flatMap(n -> converted(n, HorizontalPodAutoscalerSpec.class)).map(HpaSettings::of)
        .ifPresent(b::canaryAutoscaler);
    return Optional.of(b.build());
  }

  /** A Kubernetes object of fabric8's model from its YAML form; its problems are at the node's line. */
  private <T> Optional<T> converted(Node node, Class<T> type) {
    if (!(node instanceof Node.MapNode)) {
      problems.at(node, "must be a mapping (a Kubernetes " + type.getSimpleName() + "), was " + Obj.kindOf(node));
      return Optional.empty();
    }
    try {
      return Optional.of(Serialization.jsonMapper().convertValue(node.plain(), type));
    } catch (IllegalArgumentException e) {
      String message = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
      problems.at(node, "is not a Kubernetes " + type.getSimpleName() + ": " + message.toLowerCase(Locale.ROOT));
      return Optional.empty();
    }
  }
}
