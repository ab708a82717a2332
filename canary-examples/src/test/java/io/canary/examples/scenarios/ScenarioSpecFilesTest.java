package io.canary.examples.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.cli.Canary;
import io.canary.cli.internal.Connection;
import io.canary.core.CanarySpec;
import io.canary.examples.ScenarioPlans;
import io.canary.spec.SpecFile;
import io.canary.testing.SimulatedCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * scenarios/NAME/canary.yaml, the file form of each seed's plan: equal to ScenarioPlans' spec, and run
 * to its end by the canary command on the seed's simulated cluster (each pause for a person promoted
 * with canary promote).
 */
class ScenarioSpecFilesTest {

  static List<String> scenarios() {
    return ScenarioPlans.names();
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void theSpecFileIsThePlanAndTheCommandRunsItToSuccess(String scenario) {
    Path file = specFile(scenario);
    CanarySpec plan = ScenarioPlans.of(scenario);
    assertThat(SpecFile.read(file)).isEqualTo(plan);

    try (SimulatedCluster sim = SimulatedCluster.builder().build()) {
      List<HasMetadata> seed = sim.loadScenario(scenario);
      seed.stream().filter(Deployment.class::isInstance).forEach(d -> sim.advanceUntil(d.getMetadata().getName() + " available",
          () -> available(sim, plan.namespace(), d.getMetadata().getName()), Duration.ofMinutes(5)));
      String[] flags = scenario.equals("helloworld-versions")
          ? new String[] {"--add-missing-canary-destinations"} : new String[0];

      int exit = canary(sim, "run", file, flags);
      for (int promotions = 0; exit == 3 && promotions < 5; promotions++) {
        exit = canary(sim, "promote", file, flags);
      }

      assertThat(exit).as(scenario + " ends with exit 0").isZero();
    }
  }

  private static int canary(SimulatedCluster sim, String command, Path file, String... flags) {
    List<String> args = new java.util.ArrayList<>(List.of(command, "-f", file.toString(), "--wait", "--timeout", "3h"));
    args.addAll(List.of(flags));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    return Canary.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8),
        cli -> new Connection(sim.client(), Optional.of(sim.scheduler()), false), false);
  }

  private static boolean available(SimulatedCluster sim, String namespace, String name) {
    Deployment d = sim.client().apps().deployments().inNamespace(namespace).withName(name).get();
    return d != null && d.getStatus() != null && d.getSpec().getReplicas() != null
        && d.getSpec().getReplicas().equals(d.getStatus().getAvailableReplicas());
  }

  private static Path specFile(String scenario) {
    return io.canary.examples.ScenarioFiles.clusterYaml(scenario).resolveSibling("canary.yaml");
  }
}
