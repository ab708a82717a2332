package io.canary.examples.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/** What the figures of a benchmark depend on, and the small helpers every benchmark prints with. */
final class MachineFacts {
  private MachineFacts() {}

  /** Cores, JVM, heap and date, printed above every table so a figure never travels without them. */
  static void print(String benchmark) {
    Runtime rt = Runtime.getRuntime();
    System.out.printf(Locale.ROOT, "%s — %s UTC%n", benchmark, Instant.now().truncatedTo(ChronoUnit.SECONDS));
    System.out.printf(Locale.ROOT, "machine: %d cores, %s %s (%s), max heap %d MB, OS %s %s%n",
        rt.availableProcessors(), System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
        System.getProperty("java.vm.vendor"), rt.maxMemory() >> 20, System.getProperty("os.name"),
        System.getProperty("os.arch"));
  }

  /** Heap in use once the garbage collector has run: what is still reachable. */
  static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    // Several collections: objects with finalizers or soft references need more than one to go.
    for (int i = 0; i < 4; i++) {
      System.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /**
   * The runner logs a line per transition (promise 9): thousands here. A host writes them to a file,
   * not to a console piped through a build tool, so the benchmarks do the same. Must run before the
   * first logger is made.
   */
  static void logToFile(String benchmark) {
    // exec:java runs in the reactor's folder, exec:exec in the module's: the log goes to the module's target.
    Path target = Files.isDirectory(Path.of("canary-examples", "target")) ? Path.of("canary-examples", "target")
        : Path.of("target");
    System.setProperty("org.slf4j.simpleLogger.logFile", target.resolve(benchmark + ".log").toString());
    // fabric8's mock server logs every request it answers on the console (java.util.logging).
    MOCK_SERVER_LOG.setLevel(Level.WARNING);
  }

  /** Held here: java.util.logging keeps loggers weakly, and a collected one forgets its level. */
  private static final Logger MOCK_SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver.MockWebServer");

  static int liveThreads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  /** Nearest-rank percentile of {@code values} ({@code p} in 0..100); NaN when there are none. */
  static double percentile(List<Double> values, double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** {@code label | n | p50 | p95 | p99 | max} of a sample of milliseconds. */
  static String latencyRow(String label, List<Double> millis) {
    List<Double> copy = new ArrayList<>(millis);
    return String.format(Locale.ROOT, "| %-50s | %5d | %8.1f | %8.1f | %8.1f | %8.1f |", label, copy.size(),
        percentile(copy, 50), percentile(copy, 95), percentile(copy, 99), percentile(copy, 100));
  }

  static String latencyHeader(String title) {
    return String.format(Locale.ROOT, "| %-50s | %5s | %8s | %8s | %8s | %8s |%n|%s|%s|%s|%s|%s|%s|", title, "n",
        "p50", "p95", "p99", "max", "-".repeat(52), "-".repeat(7), "-".repeat(10), "-".repeat(10), "-".repeat(10),
        "-".repeat(10));
  }
}
