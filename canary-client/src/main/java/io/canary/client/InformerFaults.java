package io.canary.client;

import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An informer's list and watch, kept up for ever: fabric8 stops an informer whose first list fails
 * (a 429 or a 500 would end that watch for good); with this handler every failure is retried, on
 * fabric8's own reconnect backoff, until the informer is closed. It remembers the last failure, so
 * that a caller still waiting for the first list can say what went wrong.
 *
 * <pre>{@code
 * SharedIndexInformer<Pod> pods = client.pods().inNamespace(ns).runnableInformer(0);
 * InformerFaults faults = InformerFaults.keepUp(pods, "Pods of " + ns);
 * pods.start();
 * }</pre>
 */
public final class InformerFaults implements ExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(InformerFaults.class);

  private final String what;
  private final AtomicReference<Throwable> last = new AtomicReference<>();

  private InformerFaults(String what) {
    this.what = what;
  }

  /** Sets the handler on {@code informer}, before it is started. */
  public static InformerFaults keepUp(SharedIndexInformer<?> informer, String what) {
    InformerFaults faults = new InformerFaults(what);
    informer.exceptionHandler(faults);
    return faults;
  }

  @Override
  public boolean retryAfterException(boolean isStarted, Throwable t) {
    last.set(t);
    LOG.debug("The watch of {} failed ({}); listing and watching again", what, t.toString());
    return true;
  }

  /**
   * Starts {@code informer} with this handler and waits until it holds its objects; on a timeout it is
   * stopped, and the error names the last failure seen (a 403 says the runner may not list them, a 429
   * or a 500 that the API server was busy).
   *
   * @throws KubernetesClientException when the first list has not come within {@code timeout}
   */
  public static <T> SharedIndexInformer<T> startAndAwait(SharedIndexInformer<T> informer, String what, Duration timeout) {
    InformerFaults faults = keepUp(informer, what);
    CompletableFuture<Void> synced = informer.start().toCompletableFuture();
    try {
      faults.await(synced, timeout);
      return informer;
    } catch (RuntimeException e) {
      informer.stop();
      throw e;
    }
  }

  /** Waits for {@code synced} (the informers' first lists), naming the last failure seen on a timeout. */
  public void await(CompletableFuture<?> synced, Duration timeout) {
    try {
      synced.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesClientException("interrupted while starting the watch of " + what, e);
    } catch (ExecutionException e) {
      throw new KubernetesClientException("the watch of " + what + " stopped: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw timedOut(what, timeout, lastFailure(), e);
    }
  }

  /** The error of watches that have not started within {@code timeout}, naming the last failure seen. */
  public static KubernetesClientException timedOut(String what, Duration timeout, Optional<Throwable> last,
      TimeoutException timeoutException) {
    String because = last.map(t -> "; the last attempt failed with " + t
        + (t instanceof KubernetesClientException k && (k.getCode() == 401 || k.getCode() == 403)
            ? " (check that the runner may list and watch them there)" : ""))
        .orElse("; no attempt failed, the API server was slow to answer");
    return new KubernetesClientException("could not start the watch of " + what + " within " + timeout + because,
        last.orElse(timeoutException));
  }

  /** The last list or watch failure seen, if any. */
  public Optional<Throwable> lastFailure() {
    return Optional.ofNullable(last.get());
  }
}
