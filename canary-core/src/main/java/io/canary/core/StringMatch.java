package io.canary.core;

import java.util.Objects;

/** How a header, cookie, uri or method value is matched, as in Istio's StringMatch. */
public record StringMatch(Kind kind, String value) {
  public enum Kind {
    EXACT,
    PREFIX,
    REGEX
  }

  public StringMatch {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
  }

  public static StringMatch exact(String value) {
    return new StringMatch(Kind.EXACT, value);
  }

  public static StringMatch prefix(String value) {
    return new StringMatch(Kind.PREFIX, value);
  }

  public static StringMatch regex(String value) {
    return new StringMatch(Kind.REGEX, value);
  }

  /** True when {@code candidate} matches, with the semantics Envoy gives (RE2 full match for regex). */
  public boolean matches(String candidate) {
    if (candidate == null) {
      return false;
    }
    switch (kind) {
      case EXACT:
        return candidate.equals(value);
      case PREFIX:
        return candidate.startsWith(value);
      default:
        return java.util.regex.Pattern.compile(value).matcher(candidate).matches();
    }
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + " '" + value + "'";
  }
}
