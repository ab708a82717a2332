package io.canary.testing;

import io.canary.core.time.VirtualScheduler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.reflect.AnnotatedElement;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/** The JUnit 5 extension behind {@link CanarySimulation}; one simulation per test method. */
public final class CanarySimulationExtension implements ParameterResolver, AfterEachCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(CanarySimulationExtension.class);
  private static final Set<Class<?>> SUPPORTED = Set.of(SimulatedCluster.class, KubernetesClient.class,
      VirtualScheduler.class, TrafficSimulator.class, Timeline.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    // Per test method only: a simulation made for a constructor would outlive its test.
    return context.getTestMethod().isPresent() && SUPPORTED.contains(parameter.getParameter().getType());
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    SimulatedCluster sim = simulation(context);
    Class<?> type = parameter.getParameter().getType();
    if (type == SimulatedCluster.class) {
      return sim;
    }
    if (type == KubernetesClient.class) {
      return sim.client();
    }
    if (type == VirtualScheduler.class) {
      return sim.scheduler();
    }
    if (type == TrafficSimulator.class) {
      return sim.traffic();
    }
    if (type == Timeline.class) {
      return sim.timeline();
    }
    throw new ParameterResolutionException("@CanarySimulation cannot provide a " + type.getName());
  }

  /** The simulation of the current test method, started on first use. */
  private static SimulatedCluster simulation(ExtensionContext context) {
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    SimulatedCluster existing = store.get(SimulatedCluster.class, SimulatedCluster.class);
    if (existing != null) {
      return existing;
    }
    CanarySimulation settings = settings(context);
    SimulatedCluster sim = SimulatedCluster.builder()
        .podStartupDelay(Duration.ofSeconds(settings.podStartupSeconds()))
        .tick(Duration.ofMillis(settings.tickMillis()))
        .timelineInterval(Duration.ofSeconds(settings.timelineSeconds()))
        .build();
    store.put(SimulatedCluster.class, sim);
    if (!settings.scenario().isEmpty()) {
      sim.loadScenario(settings.scenario());
      sim.settle();
    }
    return sim;
  }

  private static CanarySimulation settings(ExtensionContext context) {
    Optional<CanarySimulation> found = Optional.empty();
    for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent() && found.isEmpty();
        c = c.get().getParent()) {
      Optional<AnnotatedElement> element = c.get().getElement();
      if (element.isPresent()) {
        found = AnnotationSupport.findAnnotation(element.get(), CanarySimulation.class);
      }
    }
    return found.orElseThrow(() -> new ParameterResolutionException(
        "CanarySimulationExtension needs @CanarySimulation on the test class or method"));
  }

  @Override
  public void afterEach(ExtensionContext context) {
    SimulatedCluster sim = context.getStore(NAMESPACE).remove(SimulatedCluster.class, SimulatedCluster.class);
    if (sim != null) {
      sim.close();
    }
  }
}
