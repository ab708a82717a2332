package io.canary.core.spi;

import io.canary.core.event.RolloutEvent;

/**
 * Sees every transition of the rollouts it is registered for. Called on the runner's threads after
 * the status is saved; keep it quick and do not block. An exception is logged and ignored.
 */
@FunctionalInterface
public interface RolloutListener {
  void onEvent(RolloutEvent event);
}
