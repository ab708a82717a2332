package io.canary.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.core.CanaryException;
import io.canary.core.spi.ApiFault;
import io.canary.core.spi.FaultClassifier;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ServiceLoader;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

class KubernetesFaultsTest {
  private final KubernetesFaults faults = new KubernetesFaults();

  private static KubernetesClientException answered(int code, Integer retryAfterSeconds) {
    return new KubernetesClientException(new StatusBuilder().withCode(code).withMessage("answered " + code)
        .withNewDetails().withRetryAfterSeconds(retryAfterSeconds).endDetails().build());
  }

  @Test
  void serverErrorsAndTooManyRequestsAreTransientWithTheServersRetryAfter() {
    for (int code : new int[] {500, 502, 503, 504}) {
      assertThat(faults.classify(answered(code, null))).hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(ApiFault.Kind.TRANSIENT));
    }
    assertThat(faults.classify(answered(429, 3))).hasValueSatisfying(f -> {
      assertThat(f.kind()).isEqualTo(ApiFault.Kind.TRANSIENT);
      assertThat(f.retryAfter()).contains(Duration.ofSeconds(3));
      assertThat(f.cause()).startsWith("HTTP 429");
    });
  }

  @Test
  void aConflictIsAConflictAndRefusalsLast() {
    assertThat(faults.classify(answered(409, null))).hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(ApiFault.Kind.CONFLICT));
    for (int code : new int[] {400, 403, 404, 422}) {
      assertThat(faults.classify(answered(code, null))).as("HTTP %d", code)
          .hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(ApiFault.Kind.LASTING));
    }
  }

  @Test
  void aRequestWithoutAnswerIsJudgedByItsCause() {
    KubernetesClientException timedOut = new KubernetesClientException("An error has occurred.",
        new HttpTimeoutException("request timed out"));
    assertThat(faults.classify(timedOut)).as("left to the cause").isEmpty();
    assertThat(faults.classify(new CanaryException("not fabric8's"))).isEmpty();
  }

  @Test
  void theClassifierIsFoundOnTheClassPath() {
    assertThat(StreamSupport.stream(ServiceLoader.load(FaultClassifier.class).spliterator(), false))
        .anySatisfy(c -> assertThat(c).isInstanceOf(KubernetesFaults.class));
  }
}
