package io.canary.istio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits for what another thread (an informer) brings about, with a generous deadline, never a fixed time. */
final class Await {
  private Await() {}

  static void until(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try {
      while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
        new CountDownLatch(1).await(10, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    assertThat(condition.getAsBoolean()).as(what + " within 30 s").isTrue();
  }
}
