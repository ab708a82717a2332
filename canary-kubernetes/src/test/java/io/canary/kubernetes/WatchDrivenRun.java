package io.canary.kubernetes;

import static io.canary.kubernetes.TestCluster.NS;
import static org.assertj.core.api.Assertions.fail;

import io.canary.core.RolloutHandle;
import io.canary.core.RolloutStatus;
import io.canary.core.spi.Workloads;
import io.canary.core.time.VirtualScheduler;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Drives a runner on a virtual clock against the in-process API server: plays the Deployment
 * controller, and after each status write waits (bounded, in real time) until the workloads' watch has
 * called the runner back, so that the clock never moves on before the runner has seen the change.
 */
final class WatchDrivenRun {
  private final VirtualScheduler scheduler;
  private final KubernetesClient client;
  private final TestCluster cluster;
  private final Semaphore watchCallbacks;

  /** {@code watchCallbacks} is released once per watch callback the runner has had (see {@link #signalling}). */
  WatchDrivenRun(VirtualScheduler scheduler, KubernetesClient client, TestCluster cluster, Semaphore watchCallbacks) {
    this.scheduler = scheduler;
    this.client = client;
    this.cluster = cluster;
    this.watchCallbacks = watchCallbacks;
  }

  /** Passes every call through, and releases {@code watchCallbacks} after each watch callback the runner has had. */
  static Workloads signalling(Workloads delegate, Semaphore watchCallbacks) {
    return (Workloads) Proxy.newProxyInstance(WatchDrivenRun.class.getClassLoader(), new Class<?>[] {Workloads.class},
        (proxy, method, args) -> {
          if (method.getName().equals("watch")) {
            Runnable onChange = (Runnable) args[2];
            args[2] = (Runnable) () -> {
              onChange.run();
              watchCallbacks.release();
            };
          }
          try {
            return method.invoke(delegate, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /**
   * Runs the runner's due tasks and plays the Deployment controller until {@code condition} holds:
   * after a status write it waits (bounded) for the watch to call the runner back; with nothing to wait
   * for it moves the virtual clock to the next timer.
   */
  RolloutStatus drive(RolloutHandle handle, Predicate<RolloutStatus> condition) throws InterruptedException {
    for (int turn = 0; turn < 200; turn++) {
      scheduler.runDue();
      if (condition.test(handle.status())) {
        return handle.status();
      }
      if (settleDeployments()) {
        if (!watchCallbacks.tryAcquire(5, TimeUnit.SECONDS)) {
          fail("the watch did not call the runner back; status " + handle.status());
        }
        continue;
      }
      // A watch event may still be on its way (an informer just started by a resumed runner): give it a
      // moment before the clock jumps to the next timer, which may be a progress deadline.
      if (watchCallbacks.tryAcquire(300, TimeUnit.MILLISECONDS)) {
        continue;
      }
      Optional<Instant> next = scheduler.nextDue();
      if (next.isPresent()) {
        scheduler.advanceTo(next.get());
      } else if (!watchCallbacks.tryAcquire(5, TimeUnit.SECONDS)) {
        fail("nothing more happens; status " + handle.status());
      }
    }
    return fail("condition not reached; status " + handle.status());
  }

  /** The Deployment controller's part: every Deployment's status catches up with its spec. */
  private boolean settleDeployments() {
    boolean wrote = false;
    for (Deployment d : client.apps().deployments().inNamespace(NS).list().getItems()) {
      int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
      DeploymentStatus s = d.getStatus();
      boolean settled = s != null && Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration())
          && Objects.equals(s.getReplicas(), desired) && Objects.equals(s.getUpdatedReplicas(), desired)
          && Objects.equals(s.getAvailableReplicas(), desired);
      if (!settled) {
        cluster.status(d.getMetadata().getName(), desired, desired, desired, desired);
        wrote = true;
      }
    }
    return wrote;
  }
}
