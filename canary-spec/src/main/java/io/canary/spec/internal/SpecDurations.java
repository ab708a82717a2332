package io.canary.spec.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as users write them in spec files: {@code 30s}, {@code 10m}, {@code 1h30m}, {@code 500ms}, or ISO-8601. */
public final class SpecDurations {
  private static final Pattern SHORT = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m(?!s))?(?:(\\d+)s)?(?:(\\d+)ms)?");

  private SpecDurations() {}

  public static Optional<Duration> parse(String text) {
    String t = text.strip();
    if (t.startsWith("P") || t.startsWith("-P")) {
      try {
        return Optional.of(Duration.parse(t));
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }
    Matcher m = SHORT.matcher(t);
    if (t.isEmpty() || !m.matches()) {
      return Optional.empty();
    }
    Duration d = Duration.ZERO;
    d = m.group(1) == null ? d : d.plusHours(Long.parseLong(m.group(1)));
    d = m.group(2) == null ? d : d.plusMinutes(Long.parseLong(m.group(2)));
    d = m.group(3) == null ? d : d.plusSeconds(Long.parseLong(m.group(3)));
    d = m.group(4) == null ? d : d.plusMillis(Long.parseLong(m.group(4)));
    return Optional.of(d);
  }

  /** The short form when it says the duration exactly (whole milliseconds, not negative), else ISO-8601. */
  public static String format(Duration d) {
    if (d.isNegative() || d.getNano() % 1_000_000 != 0) {
      return d.toString();
    }
    return io.canary.core.Durations.format(d);
  }
}
