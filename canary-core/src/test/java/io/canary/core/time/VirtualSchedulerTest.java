package io.canary.core.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualSchedulerTest {
  private final VirtualScheduler clock = VirtualScheduler.create();
  private final Instant start = clock.now();
  private final List<String> ran = new ArrayList<>();

  @Test
  void tasksRunInTimeOrderWithTheClockAtTheirTime() {
    clock.schedule(Duration.ofHours(2), () -> ran.add("2h@" + Duration.between(start, clock.now())));
    clock.schedule(Duration.ofSeconds(10), () -> ran.add("10s@" + Duration.between(start, clock.now())));
    clock.execute(() -> ran.add("now"));
    clock.advance(Duration.ofHours(3));
    assertThat(ran).containsExactly("now", "10s@PT10S", "2h@PT2H");
    assertThat(clock.now()).isEqualTo(start.plus(Duration.ofHours(3)));
  }

  @Test
  void nothingRunsBeforeItsTime() {
    clock.schedule(Duration.ofMinutes(5), () -> ran.add("5m"));
    clock.advance(Duration.ofMinutes(5).minusMillis(1));
    assertThat(ran).isEmpty();
    assertThat(clock.nextDue()).contains(start.plus(Duration.ofMinutes(5)));
    clock.advance(Duration.ofMillis(1));
    assertThat(ran).containsExactly("5m");
  }

  @Test
  void aCancelledTaskNeverRuns() {
    Scheduler.Cancellable c = clock.schedule(Duration.ofSeconds(1), () -> ran.add("cancelled"));
    c.cancel();
    clock.advance(Duration.ofMinutes(1));
    assertThat(ran).isEmpty();
    assertThat(clock.pending()).isZero();
  }

  @Test
  void tasksThatTasksAddForNowRunInTheSameAdvance() {
    clock.schedule(Duration.ofSeconds(1), () -> {
      ran.add("first");
      clock.execute(() -> ran.add("follow-up"));
    });
    clock.advance(Duration.ofSeconds(1));
    assertThat(ran).containsExactly("first", "follow-up");
  }

  @Test
  void timeDoesNotGoBackAndATaskCannotAdvanceTheClock() {
    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1))).hasMessageContaining("cannot go back in time");
    List<Throwable> errors = new ArrayList<>();
    clock.execute(() -> {
      try {
        clock.advance(Duration.ofSeconds(1));
      } catch (IllegalStateException e) {
        errors.add(e);
      }
    });
    clock.runDue();
    assertThat(errors).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("called from a scheduled task"));
  }
}
