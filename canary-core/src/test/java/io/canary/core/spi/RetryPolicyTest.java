package io.canary.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static final Optional<Duration> NO_HINT = Optional.empty();

  @Test
  void withoutJitterTheDelayDoublesFromTheInitialOneUpToTheMaximum() {
    RetryPolicy policy = RetryPolicy.exponential().initialDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(1))
        .jitter(0).maxAttempts(10).build();
    List<Long> millis = new ArrayList<>();
    for (int failed = 1; failed <= 6; failed++) {
      millis.add(policy.delay(failed, NO_HINT).orElseThrow().toMillis());
    }
    assertThat(millis).containsExactly(100L, 200L, 400L, 800L, 1000L, 1000L);
  }

  @Test
  void thePolicyGivesUpAfterItsAttempts() {
    RetryPolicy policy = RetryPolicy.exponential().maxAttempts(3).build();
    assertThat(policy.delay(1, NO_HINT)).isPresent();
    assertThat(policy.delay(2, NO_HINT)).as("a third attempt is allowed").isPresent();
    assertThat(policy.delay(3, NO_HINT)).as("three attempts failed: no fourth").isEmpty();
    assertThat(RetryPolicy.never().delay(1, NO_HINT)).isEmpty();
  }

  @Test
  void jitterTakesUpToItsShareOffEachDelayAndTheSameSeedGivesTheSameDelays() {
    RetryPolicy.Builder settings = RetryPolicy.exponential().initialDelay(Duration.ofSeconds(1)).maxDelay(Duration.ofSeconds(8))
        .jitter(0.5).maxAttempts(100);
    RetryPolicy a = settings.seed(42).build();
    RetryPolicy b = settings.seed(42).build();
    RetryPolicy c = settings.seed(43).build();
    List<Duration> fromA = new ArrayList<>();
    List<Duration> fromB = new ArrayList<>();
    List<Duration> fromC = new ArrayList<>();
    for (int failed = 1; failed <= 50; failed++) {
      Duration unjittered = Duration.ofSeconds(Math.min(8, 1L << Math.min(failed - 1, 10)));
      Duration d = a.delay(failed, NO_HINT).orElseThrow();
      assertThat(d).as("attempt %d", failed).isBetween(unjittered.dividedBy(2), unjittered);
      fromA.add(d);
      fromB.add(b.delay(failed, NO_HINT).orElseThrow());
      fromC.add(c.delay(failed, NO_HINT).orElseThrow());
    }
    assertThat(fromB).isEqualTo(fromA);
    assertThat(fromC).as("another seed, other delays").isNotEqualTo(fromA);
    assertThat(new HashSet<>(fromA.subList(10, 50))).as("the jitter spreads the capped delays").hasSizeGreaterThan(30);
  }

  @Test
  void aServersRetryAfterRaisesTheDelayButNeverLowersIt() {
    RetryPolicy policy = RetryPolicy.exponential().initialDelay(Duration.ofMillis(200)).jitter(0).build();
    assertThat(policy.delay(1, Optional.of(Duration.ofSeconds(3)))).contains(Duration.ofSeconds(3));
    assertThat(policy.delay(1, Optional.of(Duration.ofMillis(50)))).contains(Duration.ofMillis(200));
    assertThat(policy.delay(1, Optional.of(Duration.ofMinutes(2))))
        .as("a server's hint may ask for longer than the policy's longest wait").contains(Duration.ofMinutes(2));
  }

  @Test
  void theDefaultStartsAt200MillisecondsAndAllowsTenAttempts() {
    RetryPolicy policy = RetryPolicy.defaults();
    assertThat(policy.delay(1, NO_HINT).orElseThrow()).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(policy.delay(9, NO_HINT).orElseThrow()).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(30));
    assertThat(policy.delay(10, NO_HINT)).isEmpty();
  }

  @Test
  void badSettingsAreRefusedNamingTheField() {
    assertThatThrownBy(() -> RetryPolicy.exponential().maxAttempts(0)).hasMessageContaining("RetryPolicy.maxAttempts");
    assertThatThrownBy(() -> RetryPolicy.exponential().jitter(1.5)).hasMessageContaining("RetryPolicy.jitter");
    assertThatThrownBy(() -> RetryPolicy.exponential().multiplier(0.5)).hasMessageContaining("RetryPolicy.multiplier");
    assertThatThrownBy(() -> RetryPolicy.exponential().initialDelay(Duration.ZERO)).hasMessageContaining("RetryPolicy.initialDelay");
    assertThatThrownBy(() -> RetryPolicy.exponential().initialDelay(Duration.ofSeconds(5)).maxDelay(Duration.ofSeconds(1)).build())
        .hasMessageContaining("RetryPolicy.maxDelay");
  }
}
