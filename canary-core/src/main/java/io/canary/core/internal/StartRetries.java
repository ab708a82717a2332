package io.canary.core.internal;

import io.canary.core.CanaryException;
import io.canary.core.spi.ApiFault;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The synchronous calls of {@code CanaryRunner.start} (its validation reads, the stored status, the
 * target claim), tried again per the runner's retry policy when they fail with a transient fault or a
 * conflict. The wait is a timer on the runner's scheduler: on a virtual clock the caller moves time
 * to it (as {@code await} does), on a real one the caller waits for the timer. A lasting fault, or one
 * the policy gives up on, is thrown as it came.
 */
public final class StartRetries {
  private static final Logger LOG = LoggerFactory.getLogger("io.canary.rollout");

  private StartRetries() {}

  public static void run(RunnerContext ctx, String subject, String what, Runnable call) {
    call(ctx, subject, what, () -> {
      call.run();
      return null;
    });
  }

  public static <T> T call(RunnerContext ctx, String subject, String what, Supplier<T> call) {
    Attempts attempts = new Attempts();
    while (true) {
      try {
        return call.get();
      } catch (RuntimeException e) {
        Faults.Classified classified = ctx.faults().classifyCall(e);
        ApiFault fault = classified.fault();
        int failed = attempts.failed(classified.call());
        Optional<Duration> wait = fault.retryable() ? ctx.retryPolicy().delay(failed, fault.retryAfter()) : Optional.empty();
        if (wait.isEmpty()) {
          throw e;
        }
        LOG.info("{}: {} failed ({} fault, attempt {}); trying again in {}: {}", subject, what,
            fault.kind().name().toLowerCase(java.util.Locale.ROOT), failed, wait.get(), fault.cause());
        waitOnScheduler(ctx, subject, wait.get());
      }
    }
  }

  private static void waitOnScheduler(RunnerContext ctx, String subject, Duration wait) {
    if (ctx.scheduler().isVirtual()) {
      ctx.scheduler().runUntil(() -> false, wait);
      return;
    }
    CompletableFuture<Void> due = new CompletableFuture<>();
    ctx.scheduler().schedule(wait, () -> due.complete(null));
    try {
      due.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CanaryException(subject + ": interrupted while it waited to try again", e);
    } catch (ExecutionException e) {
      throw new CanaryException(subject + ": could not wait to try again", e.getCause());
    }
  }
}
