package io.canary.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives each test method a fresh {@link SimulatedCluster}, closed after the test. Test methods and
 * {@code @BeforeEach}/{@code @AfterEach} methods may declare parameters of type {@link SimulatedCluster},
 * {@link io.fabric8.kubernetes.client.KubernetesClient}, {@link io.canary.core.time.VirtualScheduler},
 * {@link TrafficSimulator} and {@link Timeline}; all belong to the same simulation.
 *
 * <pre>{@code
 * @CanarySimulation(scenario = "rollouts-demo-subsets", podStartupSeconds = 10)
 * class MyRolloutTest {
 *   @Test
 *   void promotes(SimulatedCluster sim, KubernetesClient client, VirtualScheduler clock) { ... }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(CanarySimulationExtension.class)
public @interface CanarySimulation {
  /** A scenario to load, {@code scenarios/<name>/cluster.yaml} (see {@link SimulatedCluster#loadScenario}). */
  String scenario() default "";

  /** How long a new pod takes to become Ready, in virtual seconds. */
  long podStartupSeconds() default 5;

  /** How often traffic is sent, in virtual milliseconds. */
  long tickMillis() default 1000;

  /** How often the timeline takes a sample, in virtual seconds. */
  long timelineSeconds() default 10;
}
