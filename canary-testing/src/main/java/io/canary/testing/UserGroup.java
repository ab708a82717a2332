package io.canary.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A share of a flow's users that send the same headers, for example the 10% of users carrying the
 * cookie {@code email=...@some-company-name.com}. Header names are lower case, as Envoy sees them.
 *
 * @param name shown in statistics
 * @param share of the flow's requests, above 0 and at most 1
 * @param headers header name to value; cookies go in a {@code cookie} header
 */
public record UserGroup(String name, double share, Map<String, String> headers) {
  public UserGroup {
    Objects.requireNonNull(name, "name");
    if (!(share > 0 && share <= 1)) {
      throw new IllegalArgumentException("UserGroup " + name + ": share must be above 0 and at most 1, got " + share);
    }
    Map<String, String> lower = new LinkedHashMap<>();
    headers.forEach((k, v) -> lower.put(k.toLowerCase(java.util.Locale.ROOT), v));
    headers = Map.copyOf(lower);
  }

  /** Users that send {@code header: value}. */
  public static UserGroup withHeader(String name, double share, String header, String value) {
    return new UserGroup(name, share, Map.of(header, value));
  }

  /** Users whose browser sends the cookie {@code cookieName=cookieValue}. */
  public static UserGroup withCookie(String name, double share, String cookieName, String cookieValue) {
    return new UserGroup(name, share, Map.of("cookie", cookieName + "=" + cookieValue));
  }
}
