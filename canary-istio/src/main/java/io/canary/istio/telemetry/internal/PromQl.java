package io.canary.istio.telemetry.internal;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The few pieces of PromQL syntax the queries are built from, with values always quoted and escaped. */
public final class PromQl {
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private PromQl() {}

  /** One label matcher: {@code label="value"} or, with {@code regex}, {@code label=~"value"}. */
  public record Matcher(String label, boolean regex, String value) {
    public static Matcher equal(String label, String value) {
      return new Matcher(label, false, value);
    }

    public static Matcher matching(String label, String regex) {
      return new Matcher(label, true, regex);
    }

    @Override
    public String toString() {
      return label + (regex ? "=~" : "=") + quote(value);
    }
  }

  /** {@code metric{m1,m2,...}}. */
  public static String selector(String metric, List<Matcher> matchers) {
    return matchers.stream().map(Matcher::toString).collect(Collectors.joining(",", metric + "{", "}"));
  }

  /**
   * A PromQL double-quoted string literal of {@code value}. PromQL unquotes strings the way Go does, so
   * a backslash, a double quote and control characters are escaped: no value can end the string early
   * and add PromQL of its own.
   */
  public static String quote(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (Character.isISOControl(c)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /**
   * A range duration for {@code window}: whole seconds when it has no fraction, milliseconds otherwise
   * (PromQL has no smaller unit, so anything below a millisecond is dropped).
   */
  public static String range(Duration window) {
    long millis = window.toMillis();
    if (millis <= 0) {
      throw new IllegalArgumentException("a PromQL range must be at least 1ms, was " + window);
    }
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }

  /** {@code time} as the decimal Unix seconds the HTTP API takes, down to the nanosecond it holds. */
  public static String time(Instant time) {
    return BigDecimal.valueOf(time.getEpochSecond())
        .add(BigDecimal.valueOf(time.getNano(), 9))
        .stripTrailingZeros()
        .toPlainString();
  }

  /** Whether {@code name} is a valid Prometheus label name. */
  public static boolean isLabelName(String name) {
    return name != null && LABEL_NAME.matcher(name).matches() && !name.startsWith("__");
  }
}
