package io.canary.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The demo's command line. */
record DemoOptions(Optional<Path> kubeconfig, Optional<String> prometheusUrl, Path outputDirectory, DemoScenario scenario, boolean help) {
  static final String USAGE = """
      Usage: Demo [--scenario NAME] [--kubeconfig PATH] [--prometheus URL] [--out DIR] [--help]
        (none)             run the rollouts-demo scenario on the simulated cluster (virtual time)
        --scenario NAME    rollouts-demo-subsets (default) or appA-gateway-api (HTTPRoute weights, Gateway API)
        --kubeconfig PATH  run it on the cluster of that kubeconfig (Istio installed); KUBECONFIG works too
        --prometheus URL   on a real cluster, let analysis read Istio telemetry from this Prometheus
        --out DIR          where the timeline charts go (default canary-examples/target/demo)
        --simulated        ignore KUBECONFIG and use the simulated cluster""";

  static DemoOptions parse(String[] args, String kubeconfigEnv) {
    Optional<Path> kubeconfig = Optional.ofNullable(kubeconfigEnv).filter(s -> !s.isBlank()).map(Path::of);
    Optional<String> prometheus = Optional.empty();
    Path out = defaultOutput();
    DemoScenario scenario = DemoScenario.ROLLOUTS_DEMO;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--kubeconfig" -> kubeconfig = Optional.of(Path.of(value(args, ++i, "--kubeconfig")));
        case "--prometheus" -> prometheus = Optional.of(value(args, ++i, "--prometheus"));
        case "--out" -> out = Path.of(value(args, ++i, "--out"));
        case "--scenario" -> scenario = DemoScenario.named(value(args, ++i, "--scenario"));
        case "--simulated" -> kubeconfig = Optional.empty();
        case "--help", "-h" -> help = true;
        default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
      }
    }
    if (kubeconfig.isPresent() && !Files.isRegularFile(kubeconfig.get())) {
      throw new IllegalArgumentException("kubeconfig " + kubeconfig.get() + " is not a file");
    }
    return new DemoOptions(kubeconfig, prometheus, out, scenario, help);
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length || args[i].startsWith("--")) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  /** canary-examples/target/demo, found from the repository root or the module folder. */
  private static Path defaultOutput() {
    Path here = Path.of("").toAbsolutePath();
    Path module = Files.isDirectory(here.resolve("canary-examples")) ? here.resolve("canary-examples") : here;
    return module.resolve("target").resolve("demo");
  }
}
