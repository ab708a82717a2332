package io.canary.hpa;

import io.canary.core.CanarySpec;
import io.canary.core.Problem;
import io.canary.core.Revision;
import io.canary.core.Revisions;
import io.canary.core.spi.CanaryScale;
import io.canary.core.spi.RevisionState;
import io.canary.core.spi.WorkloadState;
import io.canary.core.spi.Workloads;
import io.canary.kubernetes.CanaryLabels;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain Deployment-based {@link Workloads} for the tests: the canary is a copy of the stable
 * Deployment named {@code <stable>-canary}, created with 0 replicas. It records every call, so tests
 * can tell what the decorator passed through.
 */
final class RecordingDeploymentWorkloads implements Workloads {
  static final String REVISION_LABEL = CanaryLabels.REVISION;
  static final String CANARY_HASH = "rev2";

  /** One call the decorator made; {@code replicas} is empty where the call carries none. */
  record Call(String method, String workload, Optional<Integer> replicas) {
    @Override
    public String toString() {
      return method + " " + workload + replicas.map(r -> " " + r).orElse("");
    }
  }

  private final KubernetesClient client;
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> usersStableReplicas = new ConcurrentHashMap<>();

  RecordingDeploymentWorkloads(KubernetesClient client) {
    this.client = client;
  }

  List<Call> calls() {
    return List.copyOf(calls);
  }

  /** The calls that write a replica count. */
  List<Call> replicaWrites() {
    return calls.stream().filter(c -> c.method().startsWith("scale")).toList();
  }

  @Override
  public List<Problem> validate(CanarySpec spec) {
    return deployment(spec, spec.target().name()).get() == null
        ? List.of(Problem.of("Deployment " + spec.namespace() + "/" + spec.target().name(), "does not exist"))
        : List.of();
  }

  @Override
  public Revisions previewRevisions(CanarySpec spec) {
    String canary = spec.revision().existingWorkload().orElse(spec.target().name() + "-canary");
    Map<String, String> canaryLabels =
        spec.revision().createsCanaryWorkload() ? Map.of(REVISION_LABEL, CANARY_HASH) : Map.of();
    return new Revisions(new Revision(spec.target().name(), "rev1", Map.of()),
        new Revision(canary, CANARY_HASH, canaryLabels));
  }

  @Override
  public Revisions ensureCanary(CanarySpec spec) {
    Revisions revisions = previewRevisions(spec);
    calls.add(new Call("ensureCanary", revisions.canary().workload(), Optional.empty()));
    if (spec.revision().createsCanaryWorkload() && deployment(spec, revisions.canary().workload()).get() == null) {
      Deployment stable = deployment(spec, spec.target().name()).require();
      client.apps().deployments().inNamespace(spec.namespace()).resource(new DeploymentBuilder()
          .withNewMetadata().withName(revisions.canary().workload()).withNamespace(spec.namespace()).endMetadata()
          .withSpec(stable.getSpec())
          .editSpec()
            .withReplicas(0)
            .editSelector().addToMatchLabels(REVISION_LABEL, CANARY_HASH).endSelector()
            .editTemplate().editMetadata().addToLabels(REVISION_LABEL, CANARY_HASH).endMetadata()
              .editSpec().editFirstContainer().withImage(spec.revision().images().values().iterator().next())
              .endContainer().endSpec()
            .endTemplate()
          .endSpec()
          .build()).create();
    }
    return revisions;
  }

  @Override
  public void scaleCanary(CanarySpec spec, Revisions revisions, CanaryScale request) {
    calls.add(new Call("scaleCanary", revisions.canary().workload(), Optional.of(request.replicas())));
    setReplicas(spec, revisions.canary().workload(), request.replicas());
  }

  @Override
  public void trafficShifted(CanarySpec spec, Revisions revisions, int canaryWeight) {
    calls.add(new Call("trafficShifted", revisions.canary().workload(), Optional.empty()));
  }

  @Override
  public void scaleStable(CanarySpec spec, Revisions revisions, Optional<Integer> replicas) {
    String stable = revisions.stable().workload();
    calls.add(new Call("scaleStable", stable, replicas));
    if (replicas.isPresent()) {
      usersStableReplicas.computeIfAbsent(stable, s -> deployment(spec, s).require().getSpec().getReplicas());
      setReplicas(spec, stable, replicas.get());
    } else if (usersStableReplicas.containsKey(stable)) {
      setReplicas(spec, stable, usersStableReplicas.remove(stable));
    }
  }

  @Override
  public WorkloadState observe(CanarySpec spec, Revisions revisions) {
    Deployment canary = deployment(spec, revisions.canary().workload()).get();
    return new WorkloadState(state(deployment(spec, revisions.stable().workload()).require(), revisions.stable()),
        Optional.ofNullable(canary).map(c -> state(c, revisions.canary())));
  }

  @Override
  public void promote(CanarySpec spec, Revisions revisions) {
    calls.add(new Call("promote", revisions.stable().workload(), Optional.empty()));
    if (spec.revision().createsCanaryWorkload()) {
      Deployment canary = deployment(spec, revisions.canary().workload()).require();
      deployment(spec, revisions.stable().workload()).edit(d -> new DeploymentBuilder(d)
          .editSpec().editTemplate().withSpec(canary.getSpec().getTemplate().getSpec()).endTemplate().endSpec()
          .build());
    }
  }

  @Override
  public boolean promotionComplete(CanarySpec spec, Revisions revisions) {
    return true;
  }

  @Override
  public void removeCanary(CanarySpec spec, Revisions revisions) {
    calls.add(new Call("removeCanary", revisions.canary().workload(), Optional.empty()));
    if (spec.revision().createsCanaryWorkload()) {
      deployment(spec, revisions.canary().workload()).delete();
    }
  }

  @Override
  public AutoCloseable watch(CanarySpec spec, Revisions revisions, Runnable onChange) {
    calls.add(new Call("watch", revisions.canary().workload(), Optional.empty()));
    return client.apps().deployments().inNamespace(spec.namespace()).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Deployment d) {
        onChange.run();
      }

      @Override
      public void onUpdate(Deployment old, Deployment d) {
        onChange.run();
      }

      @Override
      public void onDelete(Deployment d, boolean finalStateUnknown) {
        onChange.run();
      }
    });
  }

  private void setReplicas(CanarySpec spec, String workload, int replicas) {
    deployment(spec, workload).edit(d -> new DeploymentBuilder(d).editSpec().withReplicas(replicas).endSpec().build());
  }

  private RollableScalableResource<Deployment> deployment(CanarySpec spec, String name) {
    return client.apps().deployments().inNamespace(spec.namespace()).withName(name);
  }

  private static RevisionState state(Deployment d, Revision revision) {
    DeploymentStatus status = Optional.ofNullable(d.getStatus()).orElseGet(DeploymentStatus::new);
    return RevisionState.builder()
        .workload(d.getMetadata().getName())
        .hash(revision.hash())
        .desired(Optional.ofNullable(d.getSpec().getReplicas()).orElse(1))
        .current(Optional.ofNullable(status.getReplicas()).orElse(0))
        .updated(Optional.ofNullable(status.getUpdatedReplicas()).orElse(0))
        .ready(Optional.ofNullable(status.getReadyReplicas()).orElse(0))
        .available(Optional.ofNullable(status.getAvailableReplicas()).orElse(0))
        .build();
  }
}
