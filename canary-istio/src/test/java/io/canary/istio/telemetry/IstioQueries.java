package io.canary.istio.telemetry;

import io.canary.core.CanarySpec;
import io.canary.core.NewRevision;
import io.canary.core.Step;
import io.canary.istio.IstioStrategy;
import io.canary.istio.VirtualServiceRef;
import io.canary.core.WorkloadRef;

/** The PromQL a default {@link PrometheusMetricSource} sends for one workload, written out in full. */
record IstioQueries(String requests, String errors, String latencyP99) {
  static IstioQueries of(String namespace, String workload, String range) {
    String selector = "reporter=\"destination\",destination_workload_namespace=\"" + namespace
        + "\",destination_workload=\"" + workload + "\"";
    return new IstioQueries(
        "sum(increase(istio_requests_total{" + selector + "}[" + range + "]))",
        "sum(increase(istio_requests_total{" + selector + ",response_code=~\"5..\"}[" + range + "]))",
        "histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{" + selector
            + "}[" + range + "])))");
  }

  /** Makes {@code prometheus} answer these queries with the given figures (as Prometheus writes numbers). */
  void serve(FakePrometheus prometheus, String requestCount, String errorCount, String p99Millis) {
    prometheus.answer(requests, requestCount).answer(errors, errorCount).answer(latencyP99, p99Millis);
  }

  /** Makes {@code prometheus} answer these queries with no series: the workload served nothing. */
  void serveNoData(FakePrometheus prometheus) {
    for (String q : new String[] {requests, errors, latencyP99}) {
      prometheus.answer(q, 200, FakePrometheus.emptyVector());
    }
  }

  /** A checkout rollout in namespace shop, the shape users write. */
  static CanarySpec checkoutSpec() {
    return CanarySpec.builder()
        .name("checkout")
        .namespace("shop")
        .target(WorkloadRef.deployment("checkout"))
        .revision(NewRevision.image("checkout", "registry/checkout:2"))
        .traffic(IstioStrategy.subsets("checkout", "checkout-dr", VirtualServiceRef.of("checkout-vs", "primary")))
        .addSteps(Step.setWeight(20), Step.pause())
        .build();
  }
}
