package io.canary.cli.internal;

import io.canary.core.CanaryException;
import io.canary.core.CanarySpec;
import io.canary.core.Phase;
import io.canary.core.RolloutHandle;
import io.canary.core.RolloutKey;
import io.canary.core.RolloutStatus;
import io.canary.core.internal.SpecFingerprint;
import io.canary.core.spi.Versioned;
import io.canary.core.time.Scheduler;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The commands that drive a rollout: {@code plan}, {@code run} and the controls. Each starts a runner in
 * this process, which resumes the stored status of the spec's release (or starts it), applies the
 * control, then waits ({@code --wait}) or hands the rollout back: the runner closes, its lease is given
 * up, and the next command (or any host runner) goes on from the stored status.
 */
public final class Commands {
  /** Without {@code --timeout}, a wait ends only at the rollout's end or a pause for a person. */
  private static final Duration NO_LIMIT = Duration.ofDays(3650);
  private static final Duration HAND_BACK = Duration.ofMinutes(1);

  private final CliArgs args;
  private final CanarySpec spec;
  private final Session session;
  private final Output output;
  private final Optional<Scheduler> virtualClock;

  public Commands(CliArgs args, CanarySpec spec, Session session, Output output, Optional<Scheduler> virtualClock) {
    this.args = args;
    this.spec = spec;
    this.session = session;
    this.output = output;
    this.virtualClock = virtualClock;
  }

  public Outcome plan() {
    output.say(session.runner().plan(spec).toString().stripTrailing());
    return Outcome.of(ExitCode.SUCCEEDED, "Plan of " + spec.key() + ": nothing was written");
  }

  public Outcome run() {
    RolloutHandle rollout = session.runner().start(spec);
    output.say("Rollout " + spec.key() + " " + (rollout.status().phase() == Phase.PENDING ? "started" : "resumed")
        + " (" + Output.progressLine(rollout.status()) + ")");
    return args.await() ? await(rollout) : handBack(rollout);
  }

  /** {@code promote}, {@code abort}, {@code retry}, {@code pause}, {@code resume}, {@code undo} on the stored release. */
  public Outcome control(String command) {
    RolloutStatus stored = storedRelease();
    RolloutHandle rollout = session.runner().start(spec);
    if (command.equals("undo")) {
      RolloutHandle undo = completed(rollout.undo(), "undo");
      output.say("Rollout " + spec.key() + ": undo started a release of the previous revision");
      return args.await() ? await(undo) : handBack(undo);
    }
    CompletableFuture<RolloutStatus> applied = switch (command) {
      case "promote" -> args.full() ? rollout.promoteFully() : rollout.promote();
      case "abort" -> rollout.abort();
      case "retry" -> rollout.retry();
      case "pause" -> rollout.pause();
      default -> rollout.resume();
    };
    RolloutStatus after = completed(applied, command + (args.full() ? " --full" : ""));
    output.say("Rollout " + spec.key() + ": " + command + (args.full() ? " --full" : "") + " applied (was "
        + stored.phase().displayName() + "; now " + Output.progressLine(after) + ")");
    return args.await() ? await(rollout) : Outcome.of(ExitCode.SUCCEEDED, "Rollout " + spec.key() + ": " + command
        + " applied; the rollout goes on when a command or a runner drives it");
  }

  /** The stored status of this very release: a control on another release (or none) is refused. */
  private RolloutStatus storedRelease() {
    RolloutKey key = spec.key();
    Optional<Versioned<RolloutStatus>> stored = session.store().load(key);
    if (stored.isEmpty()) {
      throw new CanaryException("Rollout " + key + " has no stored status: start it with canary run -f first");
    }
    if (!SpecFingerprint.matches(stored.get().value().specFingerprint(), spec)) {
      throw new CanaryException("Rollout " + key + " stores another release (fingerprint "
          + stored.get().value().specFingerprint() + "): give the spec file of the release it is driving");
    }
    return stored.get().value();
  }

  private Outcome await(RolloutHandle rollout) {
    Duration timeout = args.timeout().orElse(NO_LIMIT);
    output.waiting(rollout.status());
    RolloutStatus reached;
    boolean timedOut = false;
    try {
      reached = rollout.await(s -> s.phase().isTerminal() || Outcome.waitsForAPerson(spec, s), timeout);
    } catch (CanaryException e) {
      reached = rollout.status();
      timedOut = !(reached.phase().isTerminal() || Outcome.waitsForAPerson(spec, reached));
    } finally {
      output.close();
    }
    return Outcome.of(spec, reached, timedOut);
  }

  /** Without {@code --wait}: once the start (or resume) is saved, the rollout is handed back. */
  private Outcome handBack(RolloutHandle rollout) {
    RolloutStatus now;
    try {
      now = rollout.await(s -> s.phase() != Phase.PENDING, HAND_BACK);
    } catch (CanaryException e) {
      now = rollout.status();
    }
    return new Outcome(now.phase() == Phase.ABORTED || now.phase() == Phase.FAILED ? ExitCode.ABORTED : ExitCode.SUCCEEDED,
        "Rollout " + spec.key() + " is " + Output.progressLine(now) + "; handed back (canary run --wait -f, or a "
            + "control with --wait, drives it on)", Optional.of(now));
  }

  /** The control's result; on a virtual clock (tests), time runs until the runner has applied it. */
  private <T> T completed(CompletableFuture<T> future, String what) {
    virtualClock.ifPresent(clock -> clock.runUntil(future::isDone, HAND_BACK));
    try {
      return future.get(HAND_BACK.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof CanaryException c ? c : new CanaryException(what + " failed: " + cause, cause);
    } catch (TimeoutException e) {
      throw new CanaryException(what + " was not applied within " + HAND_BACK + ": is another process driving "
          + spec.key() + "? (the status records the runner that owns it: canary status " + spec.name() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CanaryException("interrupted while applying " + what, e);
    }
  }
}
