package io.canary.istio;

import io.canary.core.Names;
import io.canary.core.Problem;
import java.util.ArrayList;
import java.util.List;
import org.immutables.value.Value;

/**
 * A stable and a canary Service, whose selectors get each revision's pod labels added; the routes
 * weigh the two Services.
 */
@Value.Immutable
public abstract class ServiceStrategy implements IstioStrategy {
  public abstract String stableService();

  public abstract String canaryService();

  @Override
  public abstract List<VirtualServiceRef> virtualServices();

  public static ImmutableServiceStrategy.Builder builder() {
    return ImmutableServiceStrategy.builder();
  }

  @Override
  public String kind() {
    return "services";
  }

  @Override
  public List<Problem> validate() {
    List<Problem> p = new ArrayList<>();
    Names.checkLabel(p, "stableService", stableService());
    Names.checkLabel(p, "canaryService", canaryService());
    if (stableService().equals(canaryService())) {
      p.add(Problem.of("canaryService", "must differ from stableService ('" + stableService() + "')"));
    }
    p.addAll(IstioStrategy.validateVirtualServices(virtualServices()));
    return p;
  }

  @Override
  public String canonicalForm() {
    return "istio-services(stableService=" + stableService() + " canaryService=" + canaryService()
        + " virtualServices=" + IstioStrategy.canonicalVirtualServices(virtualServices()) + ")";
  }
}
