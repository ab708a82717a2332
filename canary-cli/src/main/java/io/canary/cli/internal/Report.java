package io.canary.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.canary.core.RolloutStatus;
import io.canary.core.StatusDocument;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code --report FILE} of a command, for CI: JUnit XML when the name ends in {@code .xml} (one test
 * case, the command on the rollout, failed unless it exited 0, with the event lines as its output), else
 * JSON (the outcome, the exit code, the event lines and the stored status document).
 */
public final class Report {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

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
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("command", command);
    report.put("rollout", rollout);
    report.put("exitCode", exit.code());
    report.put("outcome", outcome);
    report.put("seconds", took.toMillis() / 1000.0);
    report.put("events", events);
    try {
      report.put("status", status.isPresent() ? JSON.readTree(StatusDocument.write(status.get())) : null);
      return JSON.writeValueAsString(report) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the report does not serialize: " + e.getOriginalMessage(), e);
    }
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
}
