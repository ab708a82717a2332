package io.canary.cli;

import io.canary.cli.internal.Connection;
import io.canary.testing.SimulatedCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** One run of the command on a simulated cluster: its exit code and what it printed. */
record CliRun(int exit, String out, String err) {
  static CliRun on(SimulatedCluster sim, boolean terminal, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Canary.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        cli -> new Connection(sim.client(), Optional.of(sim.scheduler()), false), terminal);
    return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static CliRun on(SimulatedCluster sim, String... args) {
    return on(sim, false, args);
  }

  @Override
  public String toString() {
    return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
  }
}
