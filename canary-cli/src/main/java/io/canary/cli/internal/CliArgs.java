package io.canary.cli.internal;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The command line, parsed by hand: the flags are few and kubectl's ({@code -n}, {@code --kubeconfig},
 * {@code --context}, {@code -f}, {@code -o}); {@code --flag value} and {@code --flag=value} both work.
 */
public record CliArgs(String command, List<String> positional, Optional<Path> file, Optional<String> namespace,
    Optional<Path> kubeconfig, Optional<String> context, boolean await, Optional<Duration> timeout, boolean full,
    boolean json, boolean watch, Optional<Path> report, boolean plain, Optional<URI> prometheus,
    boolean addMissingCanaryDestinations) {

  public static final Set<String> COMMANDS = Set.of("plan", "run", "status", "promote", "abort", "retry", "pause",
      "resume", "undo", "schema", "help");
  private static final Set<String> VALUE_FLAGS = Set.of("-f", "--filename", "-n", "--namespace", "--kubeconfig",
      "--context", "--timeout", "-o", "--output", "--report", "--prometheus");
  private static final Set<String> SWITCHES = Set.of("--wait", "--full", "--watch", "-w", "--plain", "--no-color",
      "--add-missing-canary-destinations", "-h", "--help");

  /** Thrown for a command line that cannot be understood; the message says what would be right. */
  public static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
      super(message);
    }
  }

  public static CliArgs parse(List<String> args) {
    List<String> positional = new ArrayList<>();
    Map<String, String> values = new java.util.HashMap<>();
    Set<String> switches = new java.util.HashSet<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String flag = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        flag = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      if (VALUE_FLAGS.contains(flag)) {
        if (value == null) {
          if (i + 1 >= args.size()) {
            throw new UsageException(flag + " needs a value");
          }
          value = args.get(++i);
        }
        values.put(canonical(flag), value);
      } else if (SWITCHES.contains(flag)) {
        switches.add(canonical(flag));
      } else if (arg.startsWith("-") && arg.length() > 1) {
        throw new UsageException("unknown flag " + arg + "; see canary help");
      } else {
        positional.add(arg);
      }
    }
    if (switches.contains("--help") || positional.isEmpty()) {
      return new CliArgs("help", List.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false,
          Optional.empty(), false, false, false, Optional.empty(), true, Optional.empty(), false);
    }
    String command = positional.remove(0);
    if (!COMMANDS.contains(command)) {
      throw new UsageException("unknown command '" + command + "'; the commands are plan, run, status, promote, abort, "
          + "retry, pause, resume, undo, schema");
    }
    String output = values.getOrDefault("--output", "text");
    if (!output.equals("text") && !output.equals("json")) {
      throw new UsageException("-o " + output + ": give -o json (or leave it out for the status tree)");
    }
    return new CliArgs(command, List.copyOf(positional), Optional.ofNullable(values.get("--filename")).map(Path::of),
        Optional.ofNullable(values.get("--namespace")), Optional.ofNullable(values.get("--kubeconfig")).map(Path::of),
        Optional.ofNullable(values.get("--context")), switches.contains("--wait"),
        Optional.ofNullable(values.get("--timeout")).map(CliArgs::duration), switches.contains("--full"),
        output.equals("json"), switches.contains("--watch"), Optional.ofNullable(values.get("--report")).map(Path::of),
        switches.contains("--plain"), Optional.ofNullable(values.get("--prometheus")).map(CliArgs::url),
        switches.contains("--add-missing-canary-destinations"));
  }

  /** The spec file, which every command but status needs. */
  public Path requireFile() {
    return file.orElseThrow(() -> new UsageException("canary " + command + " needs the spec: -f canary.yaml"));
  }

  private static String canonical(String flag) {
    return switch (flag) {
      case "-f" -> "--filename";
      case "-n" -> "--namespace";
      case "-o" -> "--output";
      case "-w" -> "--watch";
      case "--no-color" -> "--plain";
      case "-h" -> "--help";
      default -> flag;
    };
  }

  private static Duration duration(String text) {
    return io.canary.spec.internal.SpecDurations.parse(text)
        .orElseThrow(() -> new UsageException("--timeout " + text + ": write it as 30m, 1h, 90s"));
  }

  private static URI url(String text) {
    try {
      URI uri = URI.create(text);
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new IllegalArgumentException("no scheme or host");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new UsageException("--prometheus " + text + ": give an http(s) URL, for example http://prometheus:9090");
    }
  }
}
