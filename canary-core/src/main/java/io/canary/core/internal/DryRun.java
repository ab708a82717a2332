package io.canary.core.internal;

import io.canary.core.CanarySpec;
import io.canary.core.Control;
import io.canary.core.Phase;
import io.canary.core.RolloutPlan;
import io.canary.core.RolloutPlan.Kind;
import io.canary.core.RolloutPlan.PlannedChange;
import io.canary.core.RolloutStatus;
import io.canary.core.Revisions;
import io.canary.core.spi.AnalysisResult;
import io.canary.core.spi.RevisionState;
import io.canary.core.spi.TrafficRouter;
import io.canary.core.spi.WorkloadState;
import io.canary.core.spi.Workloads;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs the {@link RolloutMachine} on an imagined cluster where every pod asked for is ready at once,
 * every analysis passes and every pause is promoted, and writes down what the actions would change.
 * The routing objects are rendered by the real router, so the plan shows what would be written.
 */
public final class DryRun {
  private static final int MAX_DECISIONS = 10_000;

  private DryRun() {}

  public static RolloutPlan plan(CanarySpec spec, TrafficRouter router, Workloads workloads, Instant start) {
    Revisions revisions = workloads.previewRevisions(spec);
    int stableReplicas = workloads.observe(spec, revisions).stable().desired();
    List<PlannedChange> changes = new ArrayList<>();
    RolloutStatus st = RolloutMachine.initial(spec, SpecFingerprint.of(spec), start);
    Instant now = start;
    int canary = 0;
    Optional<Integer> stable = Optional.empty();
    for (int i = 0; i < MAX_DECISIONS && !st.phase().isTerminal(); i++) {
      WorkloadState cluster = new WorkloadState(
          ready(revisions.stable().workload(), stable.orElse(stableReplicas)),
          Optional.of(ready(revisions.canary().workload(), canary)));
      Decision d = RolloutMachine.decide(spec, st, new Observation(cluster, true), now);
      String where = where(spec, st);
      Duration after = Duration.between(start, now);
      if (d.isWait(st)) {
        if (st.phase() == Phase.PAUSED && st.pauseUntil().isEmpty()) {
          changes.add(new PlannedChange(Kind.PAUSE, after, where, "waits for promote()", st.currentWeight(), Optional.empty(), List.of()));
          st = RolloutMachine.control(spec, st, Control.PROMOTE, now);
          continue;
        }
        if (d.wakeAt().isEmpty()) {
          changes.add(new PlannedChange(Kind.STUCK, after, where, "would wait here with nothing to wake it: " + st.message().orElse(""),
              st.currentWeight(), Optional.empty(), List.of()));
          break;
        }
        now = d.wakeAt().get();
        continue;
      }
      RolloutStatus next = d.next();
      for (Action action : d.actions()) {
        if (action instanceof Action.EnsureCanary) {
          next = RolloutMachine.withRevisions(next, revisions);
          changes.add(change(Kind.CREATE_CANARY, after, where, "canary workload " + revisions.canary().workload() + " at revision "
              + revisions.canary().hash() + " (stable " + revisions.stable().workload() + ", " + stableReplicas + " replicas)", next));
        } else if (action instanceof Action.ScaleCanary scale) {
          canary = scale.request().replicas();
          changes.add(new PlannedChange(Kind.SCALE_CANARY, after, where, "canary scaled to " + canary + " replicas (" + scale.why() + ")",
              next.currentWeight(), Optional.of(canary), List.of()));
        } else if (action instanceof Action.ScaleStable scale) {
          stable = scale.replicas();
          changes.add(change(Kind.SCALE_STABLE, after, where, "stable scaled to " + scale.replicas().map(String::valueOf)
              .orElse("the user's count") + " (" + scale.why() + ")", next));
        } else if (action instanceof Action.ApplyRouting routing) {
          int w = routing.state().canaryWeight();
          changes.add(new PlannedChange(Kind.ROUTING, after, where, "route " + (100 - w) + "% stable / " + w + "% canary"
              + (routing.state().headerRoutes().isEmpty() ? "" : ", header routes " + routing.state().headerRoutes().stream()
                  .map(h -> h.name()).toList())
              + (routing.state().mirrorRoutes().isEmpty() ? "" : ", mirror routes " + routing.state().mirrorRoutes().stream()
                  .map(m -> m.name()).toList()),
              w, Optional.empty(), router.render(spec, routing.state())));
        } else if (action instanceof Action.Evaluate evaluate) {
          next = RolloutMachine.afterAnalysis(spec, next, evaluate.analysis(), evaluate.background(),
              AnalysisResult.pass("assumed to pass in the dry run"), now);
          if (!evaluate.background()) {
            changes.add(change(Kind.ANALYSIS, after, where, "analysis '" + evaluate.analysis().name() + "' (assumed to pass)", next));
          }
        } else if (action instanceof Action.PromoteStable) {
          changes.add(change(Kind.PROMOTE_STABLE, after, where, "stable workload " + revisions.stable().workload() + " takes revision "
              + revisions.canary().hash(), next));
        } else if (action instanceof Action.RemoveCanary) {
          canary = 0;
          changes.add(change(Kind.REMOVE_CANARY, after, where, spec.revision().createsCanaryWorkload()
              ? "canary workload " + revisions.canary().workload() + " removed"
              : revisions.canary().workload() + " is stable; the user's scaling settings are given back", next));
        }
      }
      if (next.phase() == Phase.PAUSED && st.phase() != Phase.PAUSED) {
        changes.add(change(Kind.PAUSE, after, where, next.message().orElse("paused"), next));
      }
      st = next;
    }
    return new RolloutPlan(spec.key(), changes);
  }

  private static PlannedChange change(Kind kind, Duration after, String where, String what, RolloutStatus st) {
    return new PlannedChange(kind, after, where, what, st.currentWeight(), Optional.empty(), List.of());
  }

  private static String where(CanarySpec spec, RolloutStatus st) {
    return switch (st.phase()) {
      case PENDING -> "start";
      case PROMOTING -> "promotion";
      case ABORTING -> "abort";
      default -> st.stepIndex() < spec.steps().size()
          ? "step " + (st.stepIndex() + 1) + "/" + spec.steps().size() + " (" + spec.steps().get(st.stepIndex()).describe() + ")"
          : "promotion";
    };
  }

  private static RevisionState ready(String workload, int replicas) {
    return RevisionState.builder().workload(workload).hash("").desired(replicas).current(replicas).updated(replicas)
        .ready(replicas).available(replicas).build();
  }
}
