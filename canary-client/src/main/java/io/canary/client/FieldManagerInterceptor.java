package io.canary.client;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

/**
 * Adds {@code fieldManager=<name>} to every POST, PUT and PATCH that names none; a request that names
 * one (a server-side apply with its own manager) keeps it. Reads and deletes are left as they are.
 */
final class FieldManagerInterceptor implements Interceptor {
  static final String NAME = "canary-field-manager";
  private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH");
  private static final String PARAMETER = "fieldManager";

  private final String parameter;

  FieldManagerInterceptor(String fieldManager) {
    this.parameter = PARAMETER + "=" + URLEncoder.encode(fieldManager, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    if (MUTATING.contains(request.method())) {
      withFieldManager(request.uri()).ifPresent(builder::uri);
    }
  }

  private Optional<URI> withFieldManager(URI uri) {
    String query = uri.getRawQuery();
    if (query != null) {
      for (String part : query.split("&")) {
        if (part.equals(PARAMETER) || part.startsWith(PARAMETER + "=")) {
          return Optional.empty();
        }
      }
    }
    String raw = uri.toString();
    int fragment = raw.indexOf('#');
    String head = fragment < 0 ? raw : raw.substring(0, fragment);
    String tail = fragment < 0 ? "" : raw.substring(fragment);
    String separator = query == null ? "?" : query.isEmpty() ? "" : "&";
    return Optional.of(URI.create(head + separator + parameter + tail));
  }
}
