package io.canary.spec.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.canary.core.AnalysisSpec;
import io.canary.core.CanaryException;
import io.canary.core.CanarySpec;
import io.canary.core.GateSpec;
import io.canary.core.NewRevision;
import io.canary.core.RouteMatch;
import io.canary.core.ScalingOptions;
import io.canary.core.Step;
import io.canary.core.StringMatch;
import io.canary.core.TrafficStrategy;
import io.canary.core.WorkloadRef;
import io.canary.core.analysis.WebhookGate;
import io.canary.core.spi.AnalysisGate;
import io.canary.gatewayapi.GatewayApiStrategy;
import io.canary.gatewayapi.RouteKind;
import io.canary.gatewayapi.RouteRef;
import io.canary.hpa.HpaSettings;
import io.canary.istio.ServiceStrategy;
import io.canary.istio.SubsetStrategy;
import io.canary.istio.VirtualServiceRef;
import io.canary.kubernetes.PodTemplate;
import io.canary.spec.DeclaredGate;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes a {@link CanarySpec} in the file format, leaving out what equals its default. Gates written in
 * Java have no such form: only declared gates and webhooks can be written.
 */
public final class SpecWriter {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final String prometheusUrl;

  private SpecWriter(String prometheusUrl) {
    this.prometheusUrl = prometheusUrl;
  }

  public static String yaml(CanarySpec spec) {
    return write(YAML, spec);
  }

  public static String json(CanarySpec spec) {
    return write(JSON, spec);
  }

  private static String write(ObjectMapper mapper, CanarySpec spec) {
    try {
      return mapper.writeValueAsString(tree(spec));
    } catch (JsonProcessingException e) {
      throw new CanaryException("cannot write the spec of " + spec.key() + ": " + e.getOriginalMessage(), e);
    }
  }

  /** The spec as the file's mappings and lists, in the order the format documents. */
  public static Map<String, Object> tree(CanarySpec spec) {
    Set<String> urls = new LinkedHashSet<>();
    declaredGates(spec).forEach(g -> {
      Object url = g.declaration().get("prometheusUrl");
      if (url != null) {
        urls.add(url.toString());
      }
    });
    String shared = urls.size() == 1 ? urls.iterator().next() : null;
    return new SpecWriter(shared).top(spec);
  }

  private Map<String, Object> top(CanarySpec spec) {
    ScalingOptions defaultScaling = ScalingOptions.defaults();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("apiVersion", SpecReader.API_VERSION);
    m.put("kind", SpecReader.KIND);
    m.put("name", spec.name());
    m.put("namespace", spec.namespace());
    if (prometheusUrl != null) {
      m.put("prometheus", Map.of("url", prometheusUrl));
    }
    m.put("target", target(spec.target()));
    m.put("revision", revision(spec.revision()));
    m.put("traffic", traffic(spec.traffic()));
    m.put("steps", spec.steps().stream().map(this::step).toList());
    spec.analysis().ifPresent(a -> m.put("analysis", analysis(a)));
    if (!spec.gates().isEmpty()) {
      m.put("gates", spec.gates().stream().map(SpecWriter::gate).toList());
    }
    if (!spec.scaling().equals(defaultScaling)) {
      m.put("scaling", scaling(spec.scaling(), defaultScaling));
    }
    CanarySpec d = CanarySpec.builder().name(spec.name()).namespace(spec.namespace()).target(spec.target())
        .revision(spec.revision()).traffic(spec.traffic()).build();
    putIfNot(m, "scaleDownDelay", spec.scaleDownDelay(), d.scaleDownDelay());
    putIfNot(m, "abortScaleDownDelay", spec.abortScaleDownDelay(), d.abortScaleDownDelay());
    putIfNot(m, "progressDeadline", spec.progressDeadline(), d.progressDeadline());
    spec.maxSurge().ifPresent(v -> m.put("maxSurge", v));
    spec.maxUnavailable().ifPresent(v -> m.put("maxUnavailable", v));
    spec.driftPolicy().ifPresent(p -> m.put("driftPolicy", p.name().toLowerCase(Locale.ROOT)));
    return m;
  }

  private static Map<String, Object> target(WorkloadRef target) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (!target.kind().equals(WorkloadRef.DEPLOYMENT)) {
      m.put("kind", target.kind());
    }
    m.put("name", target.name());
    return m;
  }

  private static Map<String, Object> revision(NewRevision r) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (!r.images().isEmpty()) {
      m.put("images", new LinkedHashMap<>(r.images()));
    }
    r.podTemplate().ifPresent(t -> {
      if (!(t instanceof PodTemplate pod)) {
        throw new CanaryException("revision.podTemplate is a " + t.getClass().getName() + ": only canary-kubernetes' "
            + "PodTemplate has a file form");
      }
      m.put("podTemplate", kubernetes(pod.template()));
    });
    r.existingWorkload().ifPresent(w -> m.put("existingWorkload", w));
    return m;
  }

  private static Map<String, Object> traffic(TrafficStrategy t) {
    if (t instanceof SubsetStrategy s) {
      Map<String, Object> subsets = new LinkedHashMap<>();
      subsets.put("service", s.service());
      subsets.put("destinationRule", s.destinationRule());
      putIfNot(subsets, "stableSubset", s.stableSubset(), "stable");
      putIfNot(subsets, "canarySubset", s.canarySubset(), "canary");
      return Map.of("istio", istio("subsets", subsets, s.virtualServices()));
    }
    if (t instanceof ServiceStrategy s) {
      Map<String, Object> services = new LinkedHashMap<>();
      services.put("stableService", s.stableService());
      services.put("canaryService", s.canaryService());
      return Map.of("istio", istio("services", services, s.virtualServices()));
    }
    if (t instanceof GatewayApiStrategy g) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("stableService", g.stableService());
      m.put("canaryService", g.canaryService());
      m.put("routes", g.routes().stream().map(SpecWriter::route).toList());
      g.confirmation().ifPresent(c -> m.put("confirmation", c.name().toLowerCase(Locale.ROOT)));
      return Map.of("gatewayApi", m);
    }
    throw new CanaryException("traffic is a " + t.getClass().getName() + " (" + t.kind() + "): only canary-istio's and "
        + "canary-gateway-api's strategies have a file form");
  }

  private static Map<String, Object> istio(String kind, Map<String, Object> strategy, List<VirtualServiceRef> vs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(kind, strategy);
    m.put("virtualServices", vs.stream().map(v -> {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("name", v.name());
      v.namespace().ifPresent(ns -> r.put("namespace", ns));
      putIfNotEmpty(r, "httpRoutes", v.httpRoutes());
      putIfNotEmpty(r, "tlsRoutes", v.tlsRoutes().stream().map(tls -> {
        Map<String, Object> route = new LinkedHashMap<>();
        route.put("port", tls.port());
        putIfNotEmpty(route, "sniHosts", tls.sniHosts());
        return route;
      }).toList());
      putIfNotEmpty(r, "tcpRoutes", v.tcpRoutes());
      return r;
    }).toList());
    return m;
  }

  private static Map<String, Object> route(RouteRef r) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (r.kind() != RouteKind.HTTP_ROUTE) {
      m.put("kind", r.kind().kind());
    }
    m.put("name", r.name());
    r.namespace().ifPresent(ns -> m.put("namespace", ns));
    r.rule().ifPresent(rule -> m.put("rule", rule));
    r.ruleIndex().ifPresent(i -> m.put("ruleIndex", i));
    return m;
  }

  private Map<String, Object> step(Step s) {
    if (s instanceof Step.SetWeight w) {
      return Map.of("setWeight", w.weight());
    }
    if (s instanceof Step.Pause p) {
      return Map.of("pause", p.duration().map(d -> Map.of("duration", SpecDurations.format(d))).orElse(Map.of()));
    }
    if (s instanceof Step.SetCanaryScale c) {
      Map<String, Object> m = new LinkedHashMap<>();
      c.replicas().ifPresent(r -> m.put("replicas", r));
      c.percent().ifPresent(p -> m.put("percent", p));
      if (c.matchTrafficWeight()) {
        m.put("matchTrafficWeight", true);
      }
      return Map.of("setCanaryScale", m);
    }
    if (s instanceof Step.Analysis a) {
      return Map.of("analysis", analysis(a.analysis()));
    }
    if (s instanceof Step.SetHeaderRoute h) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", h.name());
      putIfNot(m, "canaryWeight", h.canaryWeight(), 100);
      putIfNotEmpty(m, "matches", matches(h.matches()));
      return Map.of("setHeaderRoute", m);
    }
    Step.SetMirrorRoute mirror = (Step.SetMirrorRoute) s;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", mirror.name());
    if (!mirror.matches().isEmpty()) {
      m.put("percent", mirror.percent());
    }
    putIfNotEmpty(m, "matches", matches(mirror.matches()));
    return Map.of("setMirrorRoute", m);
  }

  private static List<Object> matches(List<RouteMatch> matches) {
    List<Object> out = new ArrayList<>();
    for (RouteMatch match : matches) {
      Map<String, Object> m = new LinkedHashMap<>();
      if (!match.headers().isEmpty()) {
        Map<String, Object> headers = new LinkedHashMap<>();
        match.headers().forEach((name, value) -> headers.put(name, stringMatch(value)));
        m.put("headers", headers);
      }
      match.uri().ifPresent(u -> m.put("uri", stringMatch(u)));
      match.method().ifPresent(u -> m.put("method", stringMatch(u)));
      out.add(m);
    }
    return out;
  }

  private static Map<String, Object> stringMatch(StringMatch m) {
    return Map.of(m.kind().name().toLowerCase(Locale.ROOT), m.value());
  }

  private Map<String, Object> analysis(AnalysisSpec a) {
    AnalysisSpec defaults = AnalysisSpec.of("defaults", a.gate());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", a.name());
    putIfNot(m, "interval", a.interval(), defaults.interval());
    putIfNot(m, "initialDelay", a.initialDelay(), a.interval());
    putIfNot(m, "successfulRuns", a.successfulRuns(), defaults.successfulRuns());
    putIfNot(m, "failureLimit", a.failureLimit(), defaults.failureLimit());
    putIfNot(m, "inconclusiveLimit", a.inconclusiveLimit(), defaults.inconclusiveLimit());
    m.put("gate", analysisGate(a.name(), a.gate()));
    return m;
  }

  private Map<String, Object> analysisGate(String analysis, AnalysisGate gate) {
    if (gate instanceof WebhookGate hook) {
      return Map.of("webhook", webhook(hook));
    }
    if (gate instanceof DeclaredGate declared) {
      Map<String, Object> d = new LinkedHashMap<>(declared.declaration());
      if (prometheusUrl != null && prometheusUrl.equals(d.get("prometheusUrl"))) {
        d.remove("prometheusUrl");
      }
      return Map.of(declared.kind(), ordered(declared.kind(), d));
    }
    throw new CanaryException("analysis '" + analysis + "' has a gate written in Java (" + gate.getClass().getName()
        + "): it has no file form; declare it as sequentialJudge, thresholds, flagger or webhook");
  }

  /** The declaration's fields in the order of the format. */
  private static Map<String, Object> ordered(String kind, Map<String, Object> declaration) {
    String definition = Character.toUpperCase(kind.charAt(0)) + kind.substring(1);
    Map<String, Object> m = new LinkedHashMap<>();
    for (String field : Fields.OBJECTS.getOrDefault(definition, List.copyOf(declaration.keySet()))) {
      if (declaration.containsKey(field)) {
        m.put(field, declaration.get(field));
      }
    }
    return m;
  }

  private static Map<String, Object> webhook(WebhookGate hook) {
    WebhookGate defaults = WebhookGate.of(hook.name(), hook.url());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", hook.name());
    m.put("url", hook.url().toString());
    putIfNot(m, "timeout", hook.timeout(), defaults.timeout());
    putIfNot(m, "maxAttempts", hook.maxAttempts(), defaults.maxAttempts());
    putIfNot(m, "onUnavailable", hook.onUnavailable().name().toLowerCase(Locale.ROOT),
        defaults.onUnavailable().name().toLowerCase(Locale.ROOT));
    if (!hook.metadata().isEmpty()) {
      m.put("metadata", new LinkedHashMap<>(hook.metadata()));
    }
    return m;
  }

  private static Map<String, Object> gate(GateSpec g) {
    if (!(g.gate() instanceof WebhookGate hook)) {
      throw new CanaryException("gate '" + g.name() + "' (" + g.point().flaggerName() + ") is written in Java ("
          + g.gate().getClass().getName() + "): only webhook gates have a file form");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("point", g.point().flaggerName());
    m.put("name", g.name());
    putIfNot(m, "interval", g.interval(), GateSpec.at(g.point(), g.name(), g.gate()).interval());
    m.put("webhook", webhook(hook));
    return m;
  }

  private static Map<String, Object> scaling(ScalingOptions s, ScalingOptions d) {
    Map<String, Object> m = new LinkedHashMap<>();
    putIfNot(m, "preScale", s.preScale(), d.preScale());
    s.preScaleCap().ifPresent(c -> m.put("preScaleCap", c));
    putIfNot(m, "dynamicStableScale", s.dynamicStableScale(), d.dynamicStableScale());
    putIfNot(m, "stableScaleDownDelay", s.stableScaleDownDelay(), d.stableScaleDownDelay());
    s.canaryAutoscaler().ifPresent(a -> {
      if (!(a instanceof HpaSettings hpa)) {
        throw new CanaryException("scaling.canaryAutoscaler is a " + a.getClass().getName() + ": only canary-hpa's "
            + "HpaSettings have a file form");
      }
      m.put("canaryAutoscaler", kubernetes(hpa.spec()));
    });
    return m;
  }

  private static Object kubernetes(Object model) {
    ObjectMapper mapper = Serialization.jsonMapper().copy().setSerializationInclusion(JsonInclude.Include.NON_EMPTY);
    return mapper.convertValue(model, Map.class);
  }

  private static void putIfNot(Map<String, Object> m, String key, Object value, Object defaultValue) {
    if (!value.equals(defaultValue)) {
      m.put(key, value instanceof Duration d ? SpecDurations.format(d) : value);
    }
  }

  private static void putIfNotEmpty(Map<String, Object> m, String key, List<?> value) {
    if (!value.isEmpty()) {
      m.put(key, value);
    }
  }

  private static List<DeclaredGate> declaredGates(CanarySpec spec) {
    List<DeclaredGate> gates = new ArrayList<>();
    spec.analysis().map(AnalysisSpec::gate).filter(DeclaredGate.class::isInstance).map(DeclaredGate.class::cast)
        .ifPresent(gates::add);
    spec.steps().stream().filter(Step.Analysis.class::isInstance).map(s -> ((Step.Analysis) s).analysis().gate())
        .filter(DeclaredGate.class::isInstance).map(DeclaredGate.class::cast).forEach(gates::add);
    return gates;
  }
}
