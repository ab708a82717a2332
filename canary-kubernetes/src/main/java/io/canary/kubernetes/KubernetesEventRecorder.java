package io.canary.kubernetes;

import io.canary.client.FieldManager;
import io.canary.core.Revision;
import io.canary.core.RolloutKey;
import io.canary.core.RolloutStatus;
import io.canary.core.event.RolloutEvent;
import io.canary.core.spi.RolloutListener;
import io.canary.kubernetes.internal.KubernetesEvents;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every {@link RolloutEvent} as a core/v1 Event on the rollout's target Deployment, so that
 * {@code kubectl describe deployment <target>} tells the rollout's story: reason {@link
 * RolloutEvent#reason()}, type {@code Warning} for {@link RolloutEvent#warning()}, and a message with
 * the step and the weights. An event repeated in a row raises the count of the Event already recorded.
 * Never throws into the runner: a failed write is logged.
 *
 * <pre>{@code
 * runner = CanaryRunner.builder()...addListener(workloads.eventRecorder()).build();
 * }</pre>
 */
public final class KubernetesEventRecorder implements RolloutListener {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesEventRecorder.class);

  private final KubernetesEvents events;
  private final Function<RolloutKey, Optional<String>> targets;

  private KubernetesEventRecorder(Builder b) {
    this.events = new KubernetesEvents(b.client, b.component, b.instance);
    this.targets = b.targets;
  }

  public static KubernetesEventRecorder create(KubernetesClient client) {
    return builder(client).build();
  }

  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  @Override
  public void onEvent(RolloutEvent event) {
    try {
      RolloutStatus status = event.status();
      Optional<String> target = targets.apply(event.key())
          .or(() -> status.stableRevision().map(Revision::workload));
      if (target.isEmpty()) {
        LOG.debug("Rollout {}: no target Deployment known yet for event {}", event.key(), event.reason());
        return;
      }
      events.record(event.key().namespace(), target.get(), event.reason(), message(event), event.warning(), event.time());
    } catch (RuntimeException e) {
      LOG.warn("Rollout {}: could not record event {} as a Kubernetes Event", event.key(), event.reason(), e);
    }
  }

  /** The event's message after the rollout's step and weights, as {@code kubectl describe} shows it. */
  static String message(RolloutEvent event) {
    RolloutStatus s = event.status();
    return "[step " + Math.min(s.stepIndex() + 1, s.stepCount()) + "/" + s.stepCount()
        + ", canary " + s.currentWeight() + "%, stable " + (100 - s.currentWeight()) + "%] " + event.message();
  }

  /** Options of {@link KubernetesEventRecorder}. */
  public static final class Builder {
    private final KubernetesClient client;
    private String component = "canary-runner";
    private String instance = "";
    private Function<RolloutKey, Optional<String>> targets = key -> Optional.empty();

    private Builder(KubernetesClient client) {
      this.client = FieldManager.client(Objects.requireNonNull(client, "client"));
    }

    /** The Event's source component (the {@code FROM} column of kubectl); default {@code canary-runner}. */
    public Builder component(String component) {
      this.component = Objects.requireNonNull(component, "component");
      return this;
    }

    /** Which runner recorded it (Event reportingInstance), for example the runner's identity. */
    public Builder instance(String instance) {
      this.instance = Objects.requireNonNull(instance, "instance");
      return this;
    }

    /**
     * The target Deployment of a rollout. When it answers empty, the workload of the status's stable
     * revision is used. {@link KubernetesWorkloads#eventRecorder()} wires its own.
     */
    public Builder targets(Function<RolloutKey, Optional<String>> targets) {
      this.targets = Objects.requireNonNull(targets, "targets");
      return this;
    }

    public KubernetesEventRecorder build() {
      return new KubernetesEventRecorder(this);
    }
  }
}
