package io.canary.core;

import java.util.List;

/**
 * How traffic is split between the stable and the canary revision: {@link SubsetStrategy} (one
 * Service, two DestinationRule subsets) or {@link ServiceStrategy} (a stable and a canary Service).
 */
public interface TrafficStrategy {
  /** The VirtualServices whose weights the rollout owns. */
  List<VirtualServiceRef> virtualServices();

  static SubsetStrategy subsets(String service, String destinationRule, VirtualServiceRef... vs) {
    return SubsetStrategy.builder().service(service).destinationRule(destinationRule).addVirtualServices(vs).build();
  }

  static ServiceStrategy services(String stableService, String canaryService, VirtualServiceRef... vs) {
    return ServiceStrategy.builder().stableService(stableService).canaryService(canaryService).addVirtualServices(vs).build();
  }
}
