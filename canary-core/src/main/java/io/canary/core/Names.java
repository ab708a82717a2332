package io.canary.core;

import java.util.List;
import java.util.regex.Pattern;

/** Kubernetes name rules, for validation of specs and strategies: each check adds a {@link Problem}. */
public final class Names {
  private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private Names() {}

  /** True when {@code s} is a DNS-1123 label: lower case letters, digits and '-', at most 63. */
  public static boolean isDnsLabel(String s) {
    return s != null && s.length() <= 63 && DNS1123_LABEL.matcher(s).matches();
  }

  /** True when {@code s} is a DNS-1123 subdomain (labels joined by '.', at most 253). */
  public static boolean isDnsSubdomain(String s) {
    return s != null && s.length() <= 253 && DNS1123_SUBDOMAIN.matcher(s).matches();
  }

  /** Adds a problem at {@code where} unless {@code value} is a DNS-1123 label. */
  public static void checkLabel(List<Problem> problems, String where, String value) {
    if (!isDnsLabel(value)) {
      problems.add(Problem.of(where, "'" + value + "' is not a DNS-1123 label (lower case letters, digits and '-',"
          + " starting and ending with a letter or digit, at most 63 characters)"));
    }
  }

  /** Adds a problem at {@code where} unless {@code value} is a DNS-1123 subdomain. */
  public static void checkSubdomain(List<Problem> problems, String where, String value) {
    if (!isDnsSubdomain(value)) {
      problems.add(Problem.of(where, "'" + value + "' is not a DNS-1123 name (lower case letters, digits, '-' and '.',"
          + " at most 253 characters)"));
    }
  }
}
