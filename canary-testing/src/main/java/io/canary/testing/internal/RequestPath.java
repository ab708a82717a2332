package io.canary.testing.internal;

import java.util.Optional;

/**
 * A namespaced API path taken apart: {@code /apis/apps/v1/namespaces/ns/deployments/name/status}
 * gives api path {@code /apis/apps/v1}, namespace, plural, name and subresource.
 */
record RequestPath(String apiPath, String namespace, String plural, String name, String subresource) {

  static Optional<RequestPath> parse(String rawPath) {
    String path = rawPath;
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    String[] s = path.split("/");
    // s[0] is empty (leading slash); core API: api/v1, others: apis/group/version
    int i;
    if (s.length > 2 && s[1].equals("api")) {
      i = 3;
    } else if (s.length > 3 && s[1].equals("apis")) {
      i = 4;
    } else {
      return Optional.empty();
    }
    String apiPath = String.join("/", java.util.Arrays.copyOfRange(s, 0, i));
    if (s.length < i + 3 || !s[i].equals("namespaces")) {
      return Optional.empty();
    }
    String namespace = s[i + 1];
    String plural = s[i + 2];
    String name = s.length > i + 3 ? s[i + 3] : null;
    String sub = s.length > i + 4 ? s[i + 4] : null;
    return Optional.of(new RequestPath(apiPath, namespace, plural, name, sub));
  }
}
