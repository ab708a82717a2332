package io.canary.spec.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every object of the spec format and the fields it accepts, by the name of its definition in the JSON
 * Schema ({@code $defs}). The reader refuses any other field, and a test holds the schema to this list.
 */
public final class Fields {
  public static final Map<String, List<String>> OBJECTS = objects();

  private Fields() {}

  private static Map<String, List<String>> objects() {
    Map<String, List<String>> o = new LinkedHashMap<>();
    o.put("CanarySpec", List.of("apiVersion", "kind", "name", "namespace", "target", "revision", "traffic", "steps",
        "analysis", "gates", "scaling", "scaleDownDelay", "abortScaleDownDelay", "progressDeadline", "maxSurge",
        "maxUnavailable", "driftPolicy", "prometheus"));
    o.put("Prometheus", List.of("url"));
    o.put("Target", List.of("kind", "name"));
    o.put("Revision", List.of("images", "podTemplate", "existingWorkload"));
    o.put("Traffic", List.of("istio", "gatewayApi"));
    o.put("Istio", List.of("subsets", "services", "virtualServices"));
    o.put("IstioSubsets", List.of("service", "destinationRule", "stableSubset", "canarySubset"));
    o.put("IstioServices", List.of("stableService", "canaryService"));
    o.put("VirtualService", List.of("name", "namespace", "httpRoutes", "tlsRoutes", "tcpRoutes"));
    o.put("TlsRoute", List.of("port", "sniHosts"));
    o.put("GatewayApi", List.of("stableService", "canaryService", "routes", "confirmation"));
    o.put("Route", List.of("kind", "name", "namespace", "rule", "ruleIndex"));
    o.put("Step", List.of("setWeight", "pause", "setCanaryScale", "analysis", "setHeaderRoute", "setMirrorRoute"));
    o.put("Pause", List.of("duration"));
    o.put("SetCanaryScale", List.of("replicas", "percent", "matchTrafficWeight"));
    o.put("HeaderRoute", List.of("name", "canaryWeight", "matches"));
    o.put("MirrorRoute", List.of("name", "percent", "matches"));
    o.put("Match", List.of("headers", "uri", "method"));
    o.put("StringMatch", List.of("exact", "prefix", "regex"));
    o.put("Analysis", List.of("name", "interval", "initialDelay", "successfulRuns", "failureLimit", "inconclusiveLimit",
        "gate"));
    o.put("AnalysisGate", List.of("sequentialJudge", "thresholds", "flagger", "webhook"));
    o.put("SequentialJudge", List.of("alpha", "minRelativeIncrease", "minAbsoluteIncrease", "minRequests",
        "compareLatency", "minProbabilitySlower", "prometheusUrl"));
    o.put("Thresholds", List.of("rules", "consecutiveErrorLimit", "prometheusUrl"));
    o.put("ThresholdRule", List.of("name", "query", "stableQuery", "atLeast", "atMost"));
    o.put("Flagger", List.of("minSuccessRate", "maxLatencyP99Millis", "prometheusUrl"));
    o.put("Webhook", List.of("name", "url", "timeout", "maxAttempts", "onUnavailable", "metadata"));
    o.put("Gate", List.of("point", "name", "interval", "webhook"));
    o.put("Scaling", List.of("preScale", "preScaleCap", "dynamicStableScale", "stableScaleDownDelay",
        "canaryAutoscaler"));
    return Map.copyOf(o);
  }
}
