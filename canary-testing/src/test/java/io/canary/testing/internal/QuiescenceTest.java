package io.canary.testing.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a settle waits for: watch events sent to the clients handed out and not yet handled by them. */
class QuiescenceTest {
  @Test
  void eventsSentToAWatchAreOwedUntilItsClientHasHandledThem() {
    try (Quiescence q = new Quiescence(Duration.ofMillis(1), Duration.ofSeconds(10))) {
      q.watchEventSent("1");
      q.watchEventSent("1");
      q.watchEventSent("2");
      q.watchEventHandled("1");
      assertThat(q.unhandled()).isEqualTo(2);

      q.watchEventHandled("1");
      q.watchEventHandled("2");
      assertThat(q.unhandled()).isZero();
    }
  }

  @Test
  void aClosedWatchOwesNothingEvenWithEventsStillInFlight() {
    try (Quiescence q = new Quiescence(Duration.ofMillis(1), Duration.ofSeconds(10))) {
      q.watchEventSent("1");
      q.watchEventSent("2");
      q.watchEventSent("2");

      q.watchClosed("2");
      assertThat(q.unhandled()).as("only the open watch's event").isEqualTo(1);

      q.watchEventSent("2"); // a send racing the close
      assertThat(q.unhandled()).isEqualTo(1);
      q.watchEventHandled("1");
      assertThat(q.unhandled()).isZero();
    }
  }
}
