package io.canary.core.internal;

import io.canary.core.RolloutStatus;
import io.canary.core.spi.AnalysisResult;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs a rollout's analyses and gates, which may wait on a metrics backend or a webhook, on the
 * runner's analysis executor instead of the scheduler (which drives every rollout of the runner), and
 * hands the verdict, folded into the status as it stands then, back through the rollout's mailbox.
 * One at a time per rollout: the rollout waits for the verdict.
 */
final class SlowActions {
  private final Executor executor;
  private final Mailbox mailbox;
  private final LiveEffects effects;
  private final ActionInterpreter interpreter;
  private boolean running;

  SlowActions(Executor executor, Mailbox mailbox, LiveEffects effects, ActionInterpreter interpreter) {
    this.executor = executor;
    this.mailbox = mailbox;
    this.effects = effects;
    this.interpreter = interpreter;
  }

  /** Analyses and gates may wait on a metrics backend or a webhook. */
  static boolean isSlow(Decision decision) {
    return decision.actions().size() == 1
        && (decision.actions().get(0) instanceof Action.Evaluate || decision.actions().get(0) instanceof Action.AskGates);
  }

  /**
   * Runs {@code decision}'s one slow action as of status {@code at}; then, on the mailbox, folds its
   * verdict into {@code current}'s status at that time and gives the outcome to {@code onOutcome}.
   */
  void run(Decision decision, RolloutStatus at, Instant now, Supplier<RolloutStatus> current, Supplier<Instant> clock,
      Consumer<ActionInterpreter.Outcome> onOutcome) {
    if (running) {
      return;
    }
    running = true;
    Action action = decision.actions().get(0);
    try {
      executor.execute(() -> {
        AnalysisResult result = action instanceof Action.Evaluate evaluate
            ? effects.evaluate(evaluate, at, now)
            : effects.askGates((Action.AskGates) action, at);
        mailbox.submit(() -> {
          running = false;
          onOutcome.accept(action instanceof Action.Evaluate evaluate
              ? interpreter.foldAnalysis(current.get(), evaluate, result, clock.get())
              : interpreter.foldGates(current.get(), (Action.AskGates) action, result, clock.get()));
        });
      });
    } catch (RuntimeException rejected) {
      running = false;
      throw rejected;
    }
  }
}
