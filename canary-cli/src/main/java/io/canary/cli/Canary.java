package io.canary.cli;

import io.canary.cli.internal.CliArgs;
import io.canary.cli.internal.Commands;
import io.canary.cli.internal.Connection;
import io.canary.cli.internal.Connector;
import io.canary.cli.internal.ExitCode;
import io.canary.cli.internal.Outcome;
import io.canary.cli.internal.Output;
import io.canary.cli.internal.Report;
import io.canary.cli.internal.Session;
import io.canary.cli.internal.StatusCommand;
import io.canary.core.CanaryException;
import io.canary.core.CanarySpec;
import io.canary.core.CanaryValidationException;
import io.canary.core.RolloutKey;
import io.canary.spec.SpecFile;
import io.canary.spec.SpecOptions;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The {@code canary} command: {@code plan}, {@code run}, {@code status} and the controls, on the cluster
 * of the kubeconfig, with exit codes a pipeline can act on (0 succeeded, 2 aborted or failed, 3 paused
 * for a person or timed out, 4 invalid spec or cluster objects, 1 anything else). See docs/cli.md.
 */
public final class Canary {
  static final String USAGE = """
      canary: canary releases from a spec file (docs/spec-format.md, docs/cli.md)

        canary plan    -f canary.yaml                          the dry run: every change, nothing written
        canary run     -f canary.yaml [--wait] [--timeout 30m] start (or resume) the release
        canary status  NAME [-f canary.yaml] [--watch] [-o json]
        canary promote -f canary.yaml [--full] [--wait]        skip the pause (--full: every step)
        canary abort   -f canary.yaml [--wait]                 all traffic to stable, canary removed
        canary retry   -f canary.yaml [--wait]                 after an abort, from the first step
        canary pause   -f canary.yaml                          hold where it stands
        canary resume  -f canary.yaml [--wait]                 go on after pause
        canary undo    -f canary.yaml [--wait]                 release the previous revision again
        canary schema                                          the spec files' JSON Schema

      flags: --kubeconfig PATH, --context NAME, -n NAMESPACE (in place of the spec's), --prometheus URL,
             --report FILE (.xml: JUnit, else JSON), --plain (no progress line), --add-missing-canary-destinations
      exit:  0 succeeded, 2 aborted or failed, 3 paused for a person or timed out, 4 invalid spec or cluster
             objects, 1 anything else
      """;

  private final PrintStream out;
  private final PrintStream err;
  private final Connector connector;
  private final boolean terminal;

  private Canary(PrintStream out, PrintStream err, Connector connector, boolean terminal) {
    this.out = out;
    this.err = err;
    this.connector = connector;
    this.terminal = terminal;
  }

  /**
   * Runs one command and returns its exit code. {@code terminal}: print a progress line while waiting
   * (the command's main passes {@code System.console() != null}); {@code --plain} turns it off.
   */
  public static int run(List<String> args, PrintStream out, PrintStream err, Connector connector, boolean terminal) {
    return new Canary(out, err, connector, terminal).run(args).code();
  }

  private ExitCode run(List<String> argv) {
    Instant started = Instant.now();
    CliArgs args;
    try {
      args = CliArgs.parse(argv);
    } catch (CliArgs.UsageException e) {
      err.println("canary: " + e.getMessage());
      return ExitCode.ERROR;
    }
    Output output = new Output(out, terminal && !args.plain());
    Outcome outcome;
    String rollout = args.positional().isEmpty() ? args.file().map(Object::toString).orElse("") : args.positional().get(0);
    try {
      outcome = dispatch(args, output);
    } catch (CanaryValidationException e) {
      outcome = Outcome.of(ExitCode.INVALID, e.getMessage());
    } catch (CliArgs.UsageException e) {
      outcome = Outcome.of(ExitCode.ERROR, e.getMessage());
    } catch (CanaryException | KubernetesClientException | java.io.UncheckedIOException e) {
      outcome = Outcome.of(ExitCode.ERROR, e.getMessage());
    } finally {
      output.close();
    }
    (outcome.exit() == ExitCode.SUCCEEDED ? out : err).println((outcome.exit() == ExitCode.SUCCEEDED ? "" : "canary: ")
        + outcome.message());
    String reported = outcome.status().map(s -> s.key().toString()).orElse(rollout);
    Outcome done = outcome;
    args.report().ifPresent(file -> Report.write(file, args.command(), reported, done.exit(), done.message(), done.status(),
        output.lines(), Duration.between(started, Instant.now())));
    return outcome.exit();
  }

  private Outcome dispatch(CliArgs args, Output output) {
    switch (args.command()) {
      case "help" -> {
        out.print(USAGE);
        return Outcome.of(ExitCode.SUCCEEDED, "");
      }
      case "schema" -> {
        out.print(SpecFile.schema());
        return Outcome.of(ExitCode.SUCCEEDED, "");
      }
      case "status" -> {
        return status(args, output);
      }
      default -> {
        return drive(args, output);
      }
    }
  }

  private Outcome status(CliArgs args, Output output) {
    if (args.positional().size() != 1) {
      throw new CliArgs.UsageException("canary status needs the rollout's name: canary status NAME [-n NAMESPACE]");
    }
    Optional<CanarySpec> spec = args.file().map(f -> spec(args));
    String namespace = args.namespace().or(() -> spec.map(CanarySpec::namespace)).orElse("default");
    try (Connection connection = connector.connect(args)) {
      return new StatusCommand(connection.client(), output).show(RolloutKey.of(namespace, args.positional().get(0)), spec,
          args.json(), args.watch(), args.timeout().orElse(Duration.ofHours(1)));
    }
  }

  private Outcome drive(CliArgs args, Output output) {
    CanarySpec spec = spec(args);
    try (Connection connection = connector.connect(args);
        Session session = new Session(connection, spec, args, output)) {
      Commands commands = new Commands(args, spec, session, output, connection.scheduler());
      return switch (args.command()) {
        case "plan" -> commands.plan();
        case "run" -> commands.run();
        default -> commands.control(args.command());
      };
    }
  }

  /** The spec file read (every problem at once, before anything is written), in the namespace {@code -n} gives. */
  private static CanarySpec spec(CliArgs args) {
    var options = SpecOptions.builder();
    args.prometheus().ifPresent(options::prometheusUrl);
    CanarySpec spec = SpecFile.read(args.requireFile(), options.build());
    return args.namespace().filter(ns -> !ns.equals(spec.namespace())).map(ns -> (CanarySpec) CanarySpec.copyOf(spec)
        .withNamespace(ns)).orElse(spec);
  }
}
