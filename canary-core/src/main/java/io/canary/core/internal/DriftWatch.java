package io.canary.core.internal;

import io.canary.core.CanarySpec;
import io.canary.core.DriftPolicy;
import io.canary.core.spi.RouteWeight;
import io.canary.core.spi.RoutingState;
import io.canary.core.spi.TrafficRouter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells weights changed by someone else from the rollout's own writes: the weights the router's watch
 * shows are compared with the routing this runner last applied, never taken as drift merely because
 * something changed. A difference is read back once from the cluster before it counts, since a watch
 * may still show an older write of the rollout's own; the same difference seen again is not read again.
 * The watch callback may come from any thread; everything else runs in the rollout's mailbox.
 */
final class DriftWatch {
  private static final Logger LOG = LoggerFactory.getLogger("io.canary.rollout");

  private final TrafficRouter router;
  private final CanarySpec spec;
  /** What the watch last showed; null when nothing was seen since the rollout's last write. */
  private final AtomicReference<List<RouteWeight>> seen = new AtomicReference<>();
  private Optional<RoutingState> applied = Optional.empty();
  /** A difference already read back from the cluster: the same one seen again needs no read. */
  private List<RouteWeight> confirmed;
  /** The drift reported last, until the rollout writes its weights again. */
  private List<RouteWeight> reported;

  DriftWatch(TrafficRouter router, CanarySpec spec) {
    this.router = router;
    this.spec = spec;
  }

  /** The watch showed {@code weights} (any thread). */
  void seen(List<RouteWeight> weights) {
    seen.set(List.copyOf(weights));
  }

  /** The rollout writes {@code state} (or, resumed, finds it in force): its weights are the ones owned from now on. */
  void applying(RoutingState state) {
    applied = Optional.of(state);
    seen.set(null);
    confirmed = null;
    reported = null;
  }

  /** {@code found} was reported: a person who moves the rollout on after it gets the weights put back, without a second report. */
  void reported(List<RouteWeight> found) {
    reported = List.copyOf(found);
  }

  /** The owned weights as changed by someone else, if they are; reads the cluster once per new difference. */
  Optional<RoutingDrift> observe(DriftPolicy policy) {
    List<RouteWeight> shown = seen.get();
    if (applied.isEmpty() || shown == null) {
      return Optional.empty();
    }
    int owned = applied.get().canaryWeight();
    if (RoutingDrift.drifted(shown, owned).isEmpty()) {
      confirmed = null;
      return Optional.empty();
    }
    List<RouteWeight> found = shown;
    if (!shown.equals(confirmed)) {
      try {
        found = List.copyOf(router.currentWeights(spec));
      } catch (RuntimeException e) {
        LOG.warn("[{}] the routing watch shows weights other than the rollout's ({}), but reading them back failed: {}",
            spec.key(), shown, e.toString());
        return Optional.empty();
      }
      if (RoutingDrift.drifted(found, owned).isEmpty()) {
        // The watch showed an older write of the rollout's own.
        seen.compareAndSet(shown, null);
        return Optional.empty();
      }
      confirmed = found;
      seen.compareAndSet(shown, found);
    }
    return Optional.of(new RoutingDrift(owned, found, policy, found.equals(reported)));
  }
}
