package io.canary.cli.internal;

import io.canary.core.RolloutStatus;
import io.canary.core.StatusDocument;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code --report FILE} of a command, for CI: JUnit XML when the name ends in {@code .xml} (one test
 * case, the command on the rollout, failed unless it exited 0, with the event lines as its output), else
 * JSON (the outcome, the exit code, the event lines and the stored status document).
 */
public final class Report {
  private Report() {}

  public static void write(Path file, String command, String rollout, ExitCode exit, String outcome,
      Optional<RolloutStatus> status, List<String> events, Duration took) {
    String text = file.getFileName().toString().endsWith(".xml")
        ? junit(command, rollout, exit, outcome, events, took)
        : json(command, rollout, exit, outcome, status, events, took);
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report " + file, e);
    }
  }

  private static String junit(String command, String rollout, ExitCode exit, String outcome, List<String> events,
      Duration took) {
    boolean failed = exit != ExitCode.SUCCEEDED;
    String seconds = String.format(java.util.Locale.ROOT, "%.3f", took.toMillis() / 1000.0);
    StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    b.append("<testsuite name=\"canary ").append(xml(command)).append("\" tests=\"1\" failures=\"").append(failed ? 1 : 0)
        .append("\" errors=\"0\" skipped=\"0\" time=\"").append(seconds).append("\">\n");
    b.append("  <testcase classname=\"canary.").append(xml(command)).append("\" name=\"").append(xml(rollout))
        .append("\" time=\"").append(seconds).append("\">\n");
    if (failed) {
      b.append("    <failure type=\"exit ").append(exit.code()).append("\" message=\"").append(xml(outcome)).append("\"/>\n");
    }
    b.append("    <system-out>").append(xml(String.join("\n", events))).append("</system-out>\n");
    b.append("  </testcase>\n</testsuite>\n");
    return b.toString();
  }

  private static String json(String command, String rollout, ExitCode exit, String outcome,
      Optional<RolloutStatus> status, List<String> events, Duration took) {
    StringBuilder b = new StringBuilder("{\n");
    b.append("  \"command\": ").append(quote(command)).append(",\n");
    b.append("  \"rollout\": ").append(quote(rollout)).append(",\n");
    b.append("  \"exitCode\": ").append(exit.code()).append(",\n");
    b.append("  \"outcome\": ").append(quote(outcome)).append(",\n");
    b.append("  \"seconds\": ").append(took.toMillis() / 1000.0).append(",\n");
    b.append("  \"events\": [");
    for (int i = 0; i < events.size(); i++) {
      b.append(i == 0 ? "\n    " : ",\n    ").append(quote(events.get(i)));
    }
    b.append(events.isEmpty() ? "],\n" : "\n  ],\n");
    b.append("  \"status\": ").append(status.map(StatusDocument::write).orElse("null").strip().replace("\n", "\n  "))
        .append("\n}\n");
    return b.toString();
  }

  private static String xml(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints().forEach(c -> {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        default -> {
          if (c >= 0x20 || c == '\n' || c == '\t') {
            b.appendCodePoint(c);
          }
        }
      }
    });
    return b.toString();
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
