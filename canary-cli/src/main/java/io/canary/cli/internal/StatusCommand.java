package io.canary.cli.internal;

import io.canary.core.CanarySpec;
import io.canary.core.Phase;
import io.canary.core.RolloutKey;
import io.canary.core.RolloutStatus;
import io.canary.core.StatusDocument;
import io.canary.core.StatusTree;
import io.canary.core.spi.Versioned;
import io.canary.kubernetes.ConfigMapStateStore;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code canary status NAME}: the stored status of a rollout, as the status tree (with {@code -f}, the
 * tree of {@code kubectl argo rollouts get rollout}) or as the stored status document ({@code -o json});
 * {@code --watch} prints it again at every change until the rollout ends. Reads only: it drives nothing.
 */
public final class StatusCommand {
  private final KubernetesClient client;
  private final Output output;

  public StatusCommand(KubernetesClient client, Output output) {
    this.client = client;
    this.output = output;
  }

  public Outcome show(RolloutKey key, Optional<CanarySpec> spec, boolean json, boolean watch, Duration timeout) {
    ConfigMapStateStore store = ConfigMapStateStore.create(client, key.namespace());
    Optional<Versioned<RolloutStatus>> stored = store.load(key);
    if (stored.isEmpty()) {
      return Outcome.of(ExitCode.ERROR, "Rollout " + key + " has no stored status (ConfigMap "
          + ConfigMapStateStore.configMapName(key) + " in " + key.namespace() + ")");
    }
    RolloutStatus status = stored.get().value();
    print(status, spec, json);
    if (watch && !status.phase().isTerminal()) {
      status = watch(key, store, status, spec, json, timeout);
    }
    return outcome(status);
  }

  private RolloutStatus watch(RolloutKey key, ConfigMapStateStore store, RolloutStatus first, Optional<CanarySpec> spec,
      boolean json, Duration timeout) {
    BlockingQueue<Boolean> changes = new LinkedBlockingQueue<>();
    RolloutStatus last = first;
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Watch w = client.configMaps().inNamespace(key.namespace()).withName(ConfigMapStateStore.configMapName(key))
        .watch(new Watcher<ConfigMap>() {
          @Override
          public void eventReceived(Action action, ConfigMap resource) {
            changes.add(Boolean.TRUE);
          }

          @Override
          public void onClose(WatcherException cause) {
            changes.add(Boolean.FALSE);
          }
        })) {
      while (!last.phase().isTerminal() && System.nanoTime() < deadline) {
        Boolean open = changes.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (open == null || !open) {
          break;
        }
        Optional<RolloutStatus> now = store.load(key).map(Versioned::value);
        if (now.isPresent() && !now.get().equals(last)) {
          last = now.get();
          print(last, spec, json);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return last;
  }

  private void print(RolloutStatus status, Optional<CanarySpec> spec, boolean json) {
    if (json) {
      output.say(StatusDocument.write(status).strip());
    } else if (spec.isPresent()) {
      output.say(StatusTree.render(spec.get(), status, Optional.empty()).stripTrailing());
    } else {
      output.say(summary(status));
    }
  }

  /** The status without its spec: what the stored document says. */
  static String summary(RolloutStatus s) {
    StringBuilder b = new StringBuilder();
    line(b, "Name:", s.name());
    line(b, "Namespace:", s.namespace());
    line(b, "Status:", s.phase().displayName());
    s.pauseReason().filter(r -> s.phase() == Phase.PAUSED).ifPresent(r -> line(b, "Message:", r.name()));
    s.abortReason().ifPresent(r -> line(b, "Message:", r));
    line(b, "  Step:", Math.min(s.stepIndex() + 1, Math.max(s.stepCount(), 1)) + "/" + s.stepCount());
    line(b, "  SetWeight:", Integer.toString(s.desiredWeight()));
    line(b, "  ActualWeight:", Integer.toString(s.currentWeight()));
    s.canaryRevision().ifPresent(r -> line(b, "Canary:", r.workload() + " (revision " + r.hash() + ")"));
    s.stableRevision().ifPresent(r -> line(b, "Stable:", r.workload() + " (revision " + r.hash() + ")"));
    line(b, "Updated:", s.lastTransitionTime().toString());
    return b.toString().stripTrailing();
  }

  private static void line(StringBuilder b, String label, String value) {
    b.append(String.format("%-15s %s%n", label, value));
  }

  private static Outcome outcome(RolloutStatus s) {
    ExitCode exit = switch (s.phase()) {
      case ABORTED, FAILED -> ExitCode.ABORTED;
      case PAUSED -> ExitCode.WAITING;
      default -> ExitCode.SUCCEEDED;
    };
    return new Outcome(exit, "Rollout " + s.key() + " is " + Output.progressLine(s), Optional.of(s));
  }
}
