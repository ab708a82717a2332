package io.canary.istio;

import io.canary.core.Names;
import io.canary.core.Problem;
import java.util.ArrayList;
import java.util.List;
import org.immutables.value.Value;

/**
 * One Service selects every revision's pods; a DestinationRule has a stable and a canary subset,
 * whose labels get each revision's pod labels added, and the routes weigh the two subsets.
 */
@Value.Immutable
public abstract class SubsetStrategy implements IstioStrategy {
  /** The Service the route destinations name (short name or FQDN in the VirtualService). */
  public abstract String service();

  public abstract String destinationRule();

  @Value.Default
  public String stableSubset() {
    return "stable";
  }

  @Value.Default
  public String canarySubset() {
    return "canary";
  }

  @Override
  public abstract List<VirtualServiceRef> virtualServices();

  public static ImmutableSubsetStrategy.Builder builder() {
    return ImmutableSubsetStrategy.builder();
  }

  @Override
  public String kind() {
    return "subsets";
  }

  @Override
  public List<Problem> validate() {
    List<Problem> p = new ArrayList<>();
    Names.checkSubdomain(p, "service", service());
    Names.checkSubdomain(p, "destinationRule", destinationRule());
    Names.checkLabel(p, "stableSubset", stableSubset());
    Names.checkLabel(p, "canarySubset", canarySubset());
    if (stableSubset().equals(canarySubset())) {
      p.add(Problem.of("canarySubset", "must differ from stableSubset ('" + stableSubset() + "')"));
    }
    p.addAll(IstioStrategy.validateVirtualServices(virtualServices()));
    return p;
  }

  @Override
  public String canonicalForm() {
    return "istio-subsets(service=" + service() + " destinationRule=" + destinationRule() + " stableSubset="
        + stableSubset() + " canarySubset=" + canarySubset() + " virtualServices="
        + IstioStrategy.canonicalVirtualServices(virtualServices()) + ")";
  }
}
