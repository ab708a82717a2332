package io.canary.core;

import io.canary.core.spi.PodSummary;
import io.canary.core.spi.RevisionState;
import io.canary.core.spi.WorkloadState;
import java.util.List;
import java.util.Optional;

/**
 * A rollout as people read it, in the shape of {@code kubectl argo rollouts get rollout}: status,
 * step, set and actual weight, replica counts, and a tree of the revisions with their pods.
 */
public final class StatusTree {
  private StatusTree() {}

  public static String render(CanarySpec spec, RolloutStatus status, Optional<WorkloadState> workloads) {
    StringBuilder b = new StringBuilder();
    line(b, "Name:", spec.name());
    line(b, "Namespace:", spec.namespace());
    line(b, "Status:", symbol(status.phase()) + " " + status.phase().displayName());
    // Who drives it (the owner its status records); an ended rollout is driven by nobody.
    status.owner().filter(o -> !status.phase().isTerminal()).ifPresent(o -> line(b, "Runner:", o.toString()));
    status.pauseReason().ifPresent(r -> line(b, "Message:", r.name()));
    status.abortReason().ifPresent(r -> line(b, "Message:", r));
    line(b, "Strategy:", "Canary (" + spec.traffic().kind() + ")");
    line(b, "  Step:", Math.min(status.stepIndex() + 1, status.stepCount()) + "/" + status.stepCount());
    // Once promoted, the new revision is the stable one and takes all traffic (Argo Rollouts shows 100/100);
    // once rolled back, stable takes it all and no weight is set any more.
    boolean promoted = status.phase() == Phase.SUCCEEDED;
    boolean rolledBack = status.phase() == Phase.ABORTED;
    line(b, "  SetWeight:", Integer.toString(promoted ? 100 : rolledBack ? 0 : setWeight(spec, status)));
    line(b, "  ActualWeight:", Integer.toString(promoted ? 100 : status.currentWeight()));
    status.gate().filter(g -> !g.passed()).ifPresent(g -> line(b, "  Gate:", "held by " + g.point().flaggerName()
        + g.nextAskAt().map(t -> ", asked again at " + t).orElse("") + ": " + g.message()));
    status.lastAnalysis().ifPresent(a -> {
      line(b, "Analysis:", a.name() + " (" + a.where() + ") " + a.verdict() + " at " + a.time());
      if (a.checks().isEmpty()) {
        line(b, "", a.message());
      }
      a.checks().forEach(c -> line(b, "", c.describe()));
    });
    if (!promoted && !rolledBack) {
      // a finished rollout has no canary workload any more: only the stable line is true
      status.canaryRevision().ifPresent(r -> line(b, "Canary:", r.workload() + " (revision " + r.hash() + ")"));
    }
    status.stableRevision().ifPresent(r -> line(b, "Stable:", r.workload() + " (revision " + r.hash() + ")"));
    if (workloads.isPresent()) {
      RevisionState stable = workloads.get().stable();
      RevisionState canary = workloads.get().canaryOrAbsent();
      b.append("Replicas:\n");
      line(b, "  Desired:", Integer.toString(stable.desired()));
      line(b, "  Current:", Integer.toString(stable.current() + canary.current()));
      boolean stableRunsNewRevision = status.canaryRevision().map(r -> r.hash().equals(stable.hash())).orElse(false);
      line(b, "  Updated:", Integer.toString(canary.current() + (stableRunsNewRevision ? stable.updated() : 0)));
      line(b, "  Ready:", Integer.toString(stable.ready() + canary.ready()));
      line(b, "  Available:", Integer.toString(stable.available() + canary.available()));
      b.append('\n').append(String.format("%-44s %-10s %s%n", "NAME", "KIND", "STATUS"));
      b.append(String.format("%-44s %-10s %s%n", "⟳ " + spec.name(), "Rollout", symbol(status.phase()) + " "
          + status.phase().displayName()));
      boolean canaryShown = workloads.get().canary().isPresent() && !canary.workload().equals(stable.workload());
      if (canaryShown) {
        revision(b, canary, "canary", false);
      }
      revision(b, stable, "stable", true);
    }
    return b.toString();
  }

  private static void revision(StringBuilder b, RevisionState r, String role, boolean last) {
    String branch = last ? "└──" : "├──";
    String indent = last ? "   " : "│  ";
    b.append(String.format("%-44s %-10s %s%n", branch + "# revision " + r.hash(), "", role));
    b.append(String.format("%-44s %-10s %s%n", indent + "└──⧉ " + r.workload(), "Deployment",
        (r.available() >= r.desired() ? "✔ Healthy" : "◌ Progressing") + "  " + r.available() + "/" + r.desired()
            + " available" + (r.autoscaled() ? ", autoscaled " + r.minReplicas().map(String::valueOf).orElse("?") + ".."
            + r.maxReplicas().map(String::valueOf).orElse("?") : "")));
    List<PodSummary> pods = r.pods();
    for (int i = 0; i < pods.size(); i++) {
      PodSummary p = pods.get(i);
      String podBranch = i == pods.size() - 1 ? "└──" : "├──";
      b.append(String.format("%-44s %-10s %s%n", indent + "   " + podBranch + "□ " + p.name(), "Pod",
          (p.ready() ? "✔ " : "◌ ") + p.phase() + (p.ready() ? "  ready:1/1" : "  ready:0/1")));
    }
  }

  private static int setWeight(CanarySpec spec, RolloutStatus status) {
    for (int i = Math.min(status.stepIndex(), spec.steps().size()) - 1; i >= 0; i--) {
      if (spec.steps().get(i) instanceof Step.SetWeight w) {
        return w.weight();
      }
    }
    return status.desiredWeight();
  }

  private static String symbol(Phase phase) {
    return switch (phase) {
      case PAUSED -> "॥";
      case SUCCEEDED -> "✔";
      case ABORTED, FAILED -> "✖";
      case ABORTING -> "◌";
      default -> "◌";
    };
  }

  private static void line(StringBuilder b, String key, String value) {
    b.append(String.format("%-16s %s%n", key, value));
  }
}
