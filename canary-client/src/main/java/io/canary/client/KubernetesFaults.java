package io.canary.client;

import io.canary.core.spi.ApiFault;
import io.canary.core.spi.FaultClassifier;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.Optional;

/**
 * Tells fabric8's failures apart for the runner's retry policy: registered with {@link
 * java.util.ServiceLoader}, so a runner finds it whenever an adapter (and so this module) is on the
 * class path.
 *
 * <table>
 *   <caption>How an API fault is classified</caption>
 *   <tr><th>answer</th><th>kind</th></tr>
 *   <tr><td>429, 500, 502, 503, 504, 408, 410 (a watch's resourceVersion too old)</td><td>transient, with the
 *       server's {@code Retry-After} ({@code details.retryAfterSeconds} of the Status) when it gave one</td></tr>
 *   <tr><td>no answer (code 0 or -1): a timeout, a reset or refused connection</td><td>not decided here: the cause
 *       is (core takes the JDK's I/O exceptions and timeouts as transient)</td></tr>
 *   <tr><td>409</td><td>conflict: read again and apply again</td></tr>
 *   <tr><td>any other code (400, 401, 403, 404, 422 ...)</td><td>lasting</td></tr>
 * </table>
 */
public final class KubernetesFaults implements FaultClassifier {
  public KubernetesFaults() {}

  /** The classifier, for a runner built with {@code faultClassifier(...)} where no ServiceLoader is used. */
  public static FaultClassifier classifier() {
    return new KubernetesFaults();
  }

  @Override
  public Optional<ApiFault> classify(Throwable failure) {
    if (failure instanceof WatcherException w && w.getCause() == null) {
      return Optional.of(ApiFault.transientFault("watch closed: " + w.getMessage(), Optional.empty()));
    }
    if (!(failure instanceof KubernetesClientException e)) {
      return Optional.empty();
    }
    int code = e.getCode();
    if (code <= 0) {
      return Optional.empty(); // no answer: the cause (a timeout, a reset) tells
    }
    String cause = "HTTP " + code + ": " + firstLine(e.getMessage());
    return switch (code) {
      case 408, 410, 429, 500, 502, 503, 504 -> Optional.of(ApiFault.transientFault(cause, retryAfter(e.getStatus())));
      case 409 -> Optional.of(ApiFault.conflict(cause));
      default -> Optional.of(ApiFault.lasting(cause));
    };
  }

  /** The server's hint, as the Status of its answer carries it ({@code details.retryAfterSeconds}). */
  static Optional<Duration> retryAfter(Status status) {
    if (status == null || status.getDetails() == null || status.getDetails().getRetryAfterSeconds() == null
        || status.getDetails().getRetryAfterSeconds() <= 0) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofSeconds(status.getDetails().getRetryAfterSeconds()));
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
